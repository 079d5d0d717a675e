pragma circom 2.1.0;

include "batch-attestation.circom";

// 144 readings: 24 words of 6 slots of 40 bits (6-bit receive-second code, 32-bit value code).
component main {public [batchRoot, gatewayId, windowStartSec, windowEndSec, readingCount, anomalyCount, streamsHash]} =
    BatchAttestation(24, 6, 6, 32);
