pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/poseidon.circom";

// Attests a batch of sensor readings without revealing them.
//
// Each reading occupies one slot of SLOT_BITS = 2 + TIME_BITS + VALUE_BITS bits in a claims
// word, SLOTS readings per word, WORDS words hashed in chunks of up to 16:
//
//   slot = present | anomalous << 1 | timeCode << 2 | valueCode << (2 + TIME_BITS)
//
// timeCode codes the second the reading was received at within the window [windowStartSec,
// windowEndSec]; valueCode codes the value within its stream's bounds.
//
// timeCode and valueCode are range codes (see circuits/README.md): bit patterns over weights
// chosen from the span of the range, such that every pattern decodes to a point inside the
// range and every point inside it has a pattern. Decomposing each word into bits is therefore
// all the range check needed: a value outside its stream's bounds, or a reading received
// outside the window, has no code and cannot be committed. Padding slots are all zero.
//
// Public: the batch root and the claims it binds. Private: the claims words and the root of
// the readings' other fields (hashed outside the circuit).
template BatchAttestation(WORDS, SLOTS, TIME_BITS, VALUE_BITS) {
    var SLOT_BITS = 2 + TIME_BITS + VALUE_BITS;
    var WORD_BITS = SLOTS * SLOT_BITS;
    // A word must stay below the field modulus for its bit decomposition to be unique.
    assert(WORD_BITS <= 252);
    var CHUNKS = (WORDS + 15) \ 16;
    assert(WORDS >= 1 && CHUNKS <= 16);

    signal input batchRoot;
    signal input gatewayId;
    signal input windowStartSec;
    signal input windowEndSec;
    signal input readingCount;
    signal input anomalyCount;
    signal input streamsHash;

    signal input words[WORDS];
    signal input detailsRoot;

    // The window is well formed: 0 <= end - start < 2^TIME_BITS.
    component span = Num2Bits(TIME_BITS);
    span.in <== windowEndSec - windowStartSec;

    component bits[WORDS];
    signal anomalyPresent[WORDS * SLOTS];
    var present = 0;
    var anomalous = 0;
    for (var w = 0; w < WORDS; w++) {
        bits[w] = Num2Bits(WORD_BITS);
        bits[w].in <== words[w];
        for (var s = 0; s < SLOTS; s++) {
            var p = bits[w].out[s * SLOT_BITS];
            var a = bits[w].out[s * SLOT_BITS + 1];
            // Only a present reading can be anomalous, so padding cannot inflate the count.
            anomalyPresent[w * SLOTS + s] <== a * (1 - p);
            anomalyPresent[w * SLOTS + s] === 0;
            present += p;
            anomalous += a;
        }
    }
    readingCount === present;
    anomalyCount === anomalous;

    component chunk[CHUNKS];
    for (var c = 0; c < CHUNKS; c++) {
        var size = c * 16 + 16 <= WORDS ? 16 : WORDS - c * 16;
        chunk[c] = Poseidon(size);
        for (var i = 0; i < size; i++) chunk[c].inputs[i] <== words[c * 16 + i];
    }
    signal claimsRoot;
    if (CHUNKS == 1) {
        claimsRoot <== chunk[0].out;
    } else {
        component top = Poseidon(CHUNKS);
        for (var c = 0; c < CHUNKS; c++) top.inputs[c] <== chunk[c].out;
        claimsRoot <== top.out;
    }

    component root = Poseidon(8);
    root.inputs[0] <== claimsRoot;
    root.inputs[1] <== detailsRoot;
    root.inputs[2] <== streamsHash;
    root.inputs[3] <== gatewayId;
    root.inputs[4] <== windowStartSec;
    root.inputs[5] <== windowEndSec;
    root.inputs[6] <== readingCount;
    root.inputs[7] <== anomalyCount;
    batchRoot === root.out;
}
