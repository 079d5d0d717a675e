/** What the upload service has done since the relay started, for its snapshot and metrics. */
export interface UploadCounters {
  batchesStored: number;
  readingsStored: number;
  duplicatesAcked: number;
  gapsRecorded: number;
  rejected: number;
  proofsVerified: number;
  proofsInvalid: number;
}
