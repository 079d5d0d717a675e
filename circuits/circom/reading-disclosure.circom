pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/poseidon.circom";

// Discloses one reading of a batch without revealing the batch's other readings.
//
// Private: the batch's claims words (see batch-attestation.circom). Public: their claimsRoot,
// the reading's slot `index` and its two-bit `header` (present, anomalous), and the `width` code
// bits at `codeOffset` (`code`: the reading's time code, then its value code). The circuit
// hashes the words as the batch circuit does and reads the reading's bits out of them; every
// other bit of the words stays private. The code offset is committed in the reading's details
// leaf and the width follows from the public window and the reading's stream bounds, so a
// verifier knows both without the other readings.

// The index of the one set flag of `flags`, which must be one-hot.
template OneHot(N) {
    signal input flags[N];
    signal output index;
    var sum = 0;
    var at = 0;
    for (var i = 0; i < N; i++) {
        flags[i] * (flags[i] - 1) === 0;
        sum += flags[i];
        at += i * flags[i];
    }
    sum === 1;
    index <== at;
}

// Splits `in` into `in = quotient * DIVISOR + remainder` with remainder < DIVISOR (< 2^BITS) and
// quotient < QUOTIENTS, the quotient as one-hot flags. The flags are witnessed; the constraints
// make them the only ones that fit.
template DivideOneHot(DIVISOR, BITS, QUOTIENTS) {
    signal input in;
    signal output flags[QUOTIENTS];
    signal output remainder;
    signal output remainderBits[BITS];

    var q = in \ DIVISOR;
    for (var i = 0; i < QUOTIENTS; i++) flags[i] <-- q == i ? 1 : 0;
    component quotient = OneHot(QUOTIENTS);
    for (var i = 0; i < QUOTIENTS; i++) quotient.flags[i] <== flags[i];
    remainder <== in - DIVISOR * quotient.index;
    // 0 <= remainder < 2^BITS and DIVISOR - 1 - remainder >= 0: remainder < DIVISOR.
    component low = Num2Bits(BITS);
    low.in <== remainder;
    component high = Num2Bits(BITS);
    high.in <== DIVISOR - 1 - remainder;
    for (var b = 0; b < BITS; b++) remainderBits[b] <== low.out[b];
}

// The word whose flag is set among `words`.
template Select(N) {
    signal input flags[N];
    signal input words[N];
    signal output out;
    signal terms[N];
    var sum = 0;
    for (var i = 0; i < N; i++) {
        terms[i] <== flags[i] * words[i];
        sum += terms[i];
    }
    out <== sum;
}

template ReadingDisclosure(HEADER_WORDS, HEADERS_PER_WORD, CODE_WORDS, CODE_WORD_BITS, MAX_WIDTH) {
    var WORDS = HEADER_WORDS + CODE_WORDS;
    // The words hash as the batch circuit's do: chunks of 16, then the chunks' hashes.
    assert(WORDS > 16 && WORDS <= 32);
    // A code spans at most two words; SHIFT_BITS bits address a bit of a word.
    var SHIFT_BITS = 8;
    assert(CODE_WORD_BITS <= 2 ** SHIFT_BITS && MAX_WIDTH <= CODE_WORD_BITS);

    signal input claimsRoot;
    signal input index;
    signal input header;
    signal input codeOffset;
    signal input width;
    signal input code;

    signal input words[WORDS];

    component first = Poseidon(16);
    for (var i = 0; i < 16; i++) first.inputs[i] <== words[i];
    component second = Poseidon(WORDS - 16);
    for (var i = 16; i < WORDS; i++) second.inputs[i - 16] <== words[i];
    component top = Poseidon(2);
    top.inputs[0] <== first.out;
    top.inputs[1] <== second.out;
    claimsRoot === top.out;

    // The header: two bits at 2 * (index mod HEADERS_PER_WORD) of word index / HEADERS_PER_WORD.
    component slot = DivideOneHot(HEADERS_PER_WORD, 7, HEADER_WORDS);
    slot.in <== index;
    component headerWord = Select(HEADER_WORDS);
    for (var w = 0; w < HEADER_WORDS; w++) {
        headerWord.flags[w] <== slot.flags[w];
        headerWord.words[w] <== words[w];
    }
    component headerBits = Num2Bits(2 * HEADERS_PER_WORD);
    headerBits.in <== headerWord.out;
    signal slotFlags[HEADERS_PER_WORD];
    for (var s = 0; s < HEADERS_PER_WORD; s++) slotFlags[s] <-- slot.remainder == s ? 1 : 0;
    component slotAt = OneHot(HEADERS_PER_WORD);
    for (var s = 0; s < HEADERS_PER_WORD; s++) slotAt.flags[s] <== slotFlags[s];
    slotAt.index === slot.remainder;
    signal headerTerms[HEADERS_PER_WORD];
    var picked = 0;
    for (var s = 0; s < HEADERS_PER_WORD; s++) {
        headerTerms[s] <== slotFlags[s] * (headerBits.out[2 * s] + 2 * headerBits.out[2 * s + 1]);
        picked += headerTerms[s];
    }
    header === picked;

    // The code: the bits from codeOffset on, across word codeOffset / CODE_WORD_BITS and the next.
    component at = DivideOneHot(CODE_WORD_BITS, SHIFT_BITS, CODE_WORDS);
    at.in <== codeOffset;
    component low = Select(CODE_WORDS);
    component high = Select(CODE_WORDS);
    for (var w = 0; w < CODE_WORDS; w++) {
        low.flags[w] <== at.flags[w];
        low.words[w] <== words[HEADER_WORDS + w];
        high.flags[w] <== at.flags[w];
        // Past the last word, the bits are zero.
        if (w + 1 < CODE_WORDS) {
            high.words[w] <== words[HEADER_WORDS + w + 1];
        } else {
            high.words[w] <== 0;
        }
    }
    component lowBits = Num2Bits(CODE_WORD_BITS);
    lowBits.in <== low.out;
    component highBits = Num2Bits(CODE_WORD_BITS);
    highBits.in <== high.out;

    // A barrel shifter right by the bit position, largest step first, keeping only the bits the
    // later steps can still bring below MAX_WIDTH.
    var KEEP = MAX_WIDTH + 2 ** SHIFT_BITS - 1;
    signal stage[SHIFT_BITS + 1][KEEP];
    for (var k = 0; k < KEEP; k++) {
        if (k < CODE_WORD_BITS) {
            stage[0][k] <== lowBits.out[k];
        } else {
            stage[0][k] <== highBits.out[k - CODE_WORD_BITS];
        }
    }
    for (var l = 0; l < SHIFT_BITS; l++) {
        var step = 2 ** (SHIFT_BITS - 1 - l);
        var kept = MAX_WIDTH + step - 1;
        for (var k = 0; k < kept; k++) {
            stage[l + 1][k] <== stage[l][k] + at.remainderBits[SHIFT_BITS - 1 - l] * (stage[l][k + step] - stage[l][k]);
        }
        for (var k = kept; k < KEEP; k++) stage[l + 1][k] <== 0;
    }

    // Only the reading's own `width` bits are disclosed: below[j] is 1 for j < width.
    signal below[MAX_WIDTH];
    for (var j = 0; j < MAX_WIDTH; j++) below[j] <-- j < width ? 1 : 0;
    var count = 0;
    for (var j = 0; j < MAX_WIDTH; j++) {
        below[j] * (below[j] - 1) === 0;
        if (j > 0) below[j] * (1 - below[j - 1]) === 0;
        count += below[j];
    }
    width === count;
    signal disclosed[MAX_WIDTH];
    var value = 0;
    for (var j = 0; j < MAX_WIDTH; j++) {
        disclosed[j] <== below[j] * stage[SHIFT_BITS][j];
        value += disclosed[j] * 2 ** j;
    }
    code === value;
}
