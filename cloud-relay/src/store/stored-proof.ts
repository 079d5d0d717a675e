/** A Groth16 proof as the relay keeps it, whatever it proves (a batch's claims, a reading's disclosure). */
export interface StoredProof {
  /** The snarkjs Groth16 proof as JSON text. */
  proof: string;
  publicSignals: string[];
}

/** A stored proof's columns: the public signals as a JSON array. */
export interface StoredProofRow {
  proof: string;
  public_signals: string;
}

export function storedProofOf(row: StoredProofRow): StoredProof {
  return { proof: row.proof, publicSignals: JSON.parse(row.public_signals) as string[] };
}

/** The values of the proof and public_signals columns, in that order. */
export function storedProofColumns(stored: StoredProof): [string, string] {
  return [stored.proof, JSON.stringify(stored.publicSignals)];
}
