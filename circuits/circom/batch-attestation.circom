pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/poseidon.circom";

// Attests a batch of sensor readings without revealing them.
//
// The claims are HEADER_WORDS words of two-bit reading headers (present, anomalous), one per
// reading slot, and CODE_WORDS words of code bits. The code bits carry each reading's
// receive-time code and value code: range codes (see circuits/README.md), bit patterns over
// weights chosen from the span of the range, such that every pattern decodes to a point inside
// the range and every point has a pattern. Decomposing each word into bits is therefore all the
// range check needed: a value outside its stream's bounds, or a reading received outside the
// window, has no code and cannot be committed. Where each code sits and how wide it is follows
// from the public window and stream table, outside the circuit. Unused slots and bits are zero.
//
// Public: the batch root and the claims it binds. Private: the claims words and the root of
// the readings' other fields (hashed outside the circuit).
template BatchAttestation(HEADER_WORDS, HEADERS_PER_WORD, CODE_WORDS, CODE_WORD_BITS, TIME_BITS) {
    var WORDS = HEADER_WORDS + CODE_WORDS;
    // A word must stay below the field modulus for its bit decomposition to be unique.
    assert(2 * HEADERS_PER_WORD <= 252 && CODE_WORD_BITS <= 252);
    var CHUNKS = (WORDS + 15) \ 16;
    assert(CHUNKS <= 16);

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

    component headerBits[HEADER_WORDS];
    signal anomalyPresent[HEADER_WORDS * HEADERS_PER_WORD];
    var present = 0;
    var anomalous = 0;
    for (var w = 0; w < HEADER_WORDS; w++) {
        headerBits[w] = Num2Bits(2 * HEADERS_PER_WORD);
        headerBits[w].in <== words[w];
        for (var s = 0; s < HEADERS_PER_WORD; s++) {
            var p = headerBits[w].out[2 * s];
            var a = headerBits[w].out[2 * s + 1];
            // Only a present reading can be anomalous, so padding cannot inflate the count.
            anomalyPresent[w * HEADERS_PER_WORD + s] <== a * (1 - p);
            anomalyPresent[w * HEADERS_PER_WORD + s] === 0;
            present += p;
            anomalous += a;
        }
    }
    readingCount === present;
    anomalyCount === anomalous;

    component codeBits[CODE_WORDS];
    for (var w = 0; w < CODE_WORDS; w++) {
        codeBits[w] = Num2Bits(CODE_WORD_BITS);
        codeBits[w].in <== words[HEADER_WORDS + w];
    }

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
