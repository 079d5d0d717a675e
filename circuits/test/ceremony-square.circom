pragma circom 2.1.0;

// A circuit small enough to run the key ceremony on in a test: proves knowledge of a square root.
template Square() {
    signal input root;
    signal output square;
    square <== root * root;
}

component main = Square();
