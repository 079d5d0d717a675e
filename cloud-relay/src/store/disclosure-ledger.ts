import type { SqlDatabase } from "./sql-database.js";

/** A reading's disclosure proof, made by the relay for its receipt. */
export interface LedgerDisclosure {
  gatewayId: string;
  gatewaySeq: number;
  /** The snarkjs Groth16 proof as JSON text. */
  proof: string;
  publicSignals: string[];
  madeAtMs: number;
}

/**
 * The disclosure proofs the relay made for receipts, one per reading: made once, on the
 * reading's first receipt, and served from here after.
 */
export class DisclosureLedger {
  private readonly db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.db = db;
  }

  /** Keeps a reading's disclosure unless it has one already (another replica may have made it first). */
  async record(disclosure: LedgerDisclosure): Promise<void> {
    await this.db.run(
      `INSERT INTO disclosures (gateway_id, gateway_seq, proof, public_signals, made_at_ms) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (gateway_id, gateway_seq) DO NOTHING`,
      [
        disclosure.gatewayId,
        disclosure.gatewaySeq,
        disclosure.proof,
        JSON.stringify(disclosure.publicSignals),
        disclosure.madeAtMs,
      ],
    );
  }

  async get(gatewayId: string, gatewaySeq: number): Promise<LedgerDisclosure | undefined> {
    const row = await this.db.get<{
      gateway_id: string;
      gateway_seq: number;
      proof: string;
      public_signals: string;
      made_at_ms: number;
    }>("SELECT * FROM disclosures WHERE gateway_id = ? AND gateway_seq = ?", [gatewayId, gatewaySeq]);
    return (
      row && {
        gatewayId: row.gateway_id,
        gatewaySeq: Number(row.gateway_seq),
        proof: row.proof,
        publicSignals: JSON.parse(row.public_signals) as string[],
        madeAtMs: Number(row.made_at_ms),
      }
    );
  }
}
