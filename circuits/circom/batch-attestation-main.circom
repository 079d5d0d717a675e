pragma circom 2.1.0;

include "batch-attestation.circom";

// 372 reading slots (3 header words of 124), 5,292 code bits (21 words of 252), windows of up to 63 s.
component main {public [batchRoot, gatewayId, windowStartSec, windowEndSec, readingCount, anomalyCount, streamsHash]} =
    BatchAttestation(3, 124, 21, 252, 6);
