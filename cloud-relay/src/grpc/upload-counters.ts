/** What the upload service has done since the relay started, for its snapshot and metrics. */
export interface UploadCounters {
  batchesStored: number;
  readingsStored: number;
  duplicatesAcked: number;
  gapsRecorded: number;
  proofsVerified: number;
  proofsInvalid: number;
  /** Proofs of batches that had one already: answered with the first one's verdict, not stored. */
  proofsAlreadyRecorded: number;
}

export function newUploadCounters(): UploadCounters {
  return {
    batchesStored: 0,
    readingsStored: 0,
    duplicatesAcked: 0,
    gapsRecorded: 0,
    proofsVerified: 0,
    proofsInvalid: 0,
    proofsAlreadyRecorded: 0,
  };
}
