pragma circom 2.1.0;

include "reading-disclosure.circom";

// The batch circuit's claims words (3 header words of 124 two-bit headers, 21 code words of 252
// bits); a reading's codes are at most 6 + 32 bits wide.
component main {public [claimsRoot, index, header, codeOffset, width, code]} = ReadingDisclosure(3, 124, 21, 252, 38);
