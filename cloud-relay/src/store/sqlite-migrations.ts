import { BATCH_RECORD_KEYS } from "./batch-record-keys.js";

/**
 * Schema versions of the relay's SQLite database (postgres-migrations.ts holds the same
 * schema for PostgreSQL), applied in order and recorded in
 * PRAGMA user_version. Released migrations are never edited; a change is a new entry.
 */
export const SQLITE_RELAY_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE gateways (
    gateway_id TEXT PRIMARY KEY,
    registered_at_ms INTEGER NOT NULL,
    last_seen_at_ms INTEGER NOT NULL,
    backlog_batches INTEGER NOT NULL DEFAULT 0,
    backlog_readings INTEGER NOT NULL DEFAULT 0
  ) STRICT;

  -- When each boot of a gateway's host began, by the relay's clock (relay time minus the
  -- host's uptime, as last reported): dates readings the gateway marked time-uncertain.
  CREATE TABLE gateway_boots (
    gateway_id TEXT NOT NULL REFERENCES gateways (gateway_id),
    boot INTEGER NOT NULL,
    booted_at_ms INTEGER NOT NULL,
    reported_at_ms INTEGER NOT NULL,
    PRIMARY KEY (gateway_id, boot)
  ) STRICT;

  -- One row per anchoring transaction: the root folds the readings roots of its batches.
  CREATE TABLE anchors (
    id INTEGER PRIMARY KEY,
    root BLOB NOT NULL UNIQUE,
    batch_count INTEGER NOT NULL,
    reading_count INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'submitted', 'confirmed')),
    -- The transaction that anchors the root (the latest one sent, until one is mined).
    tx_hash TEXT,
    tx_nonce INTEGER,
    submitted_at_ms INTEGER,
    block_number INTEGER,
    block_hash TEXT,
    created_at_ms INTEGER NOT NULL,
    confirmed_at_ms INTEGER
  ) STRICT;

  -- A gateway's batches chain by hash; payload is the encoded Batch exactly as received.
  CREATE TABLE batches (
    gateway_id TEXT NOT NULL REFERENCES gateways (gateway_id),
    sequence INTEGER NOT NULL,
    batch_hash BLOB NOT NULL UNIQUE,
    previous_batch_hash BLOB NOT NULL,
    readings_root BLOB NOT NULL,
    first_gateway_seq INTEGER NOT NULL,
    last_gateway_seq INTEGER NOT NULL,
    reading_count INTEGER NOT NULL,
    data_class INTEGER NOT NULL,
    sealed_at_ms INTEGER NOT NULL,
    received_at_ms INTEGER NOT NULL,
    signature BLOB NOT NULL,
    -- Empty when the gateway pruned the readings (see gaps).
    payload BLOB NOT NULL,
    anchor_id INTEGER REFERENCES anchors (id),
    -- Leaf index of this batch's root in its anchor's tree.
    anchor_position INTEGER,
    PRIMARY KEY (gateway_id, sequence)
  ) STRICT;
  CREATE INDEX batches_unanchored ON batches (received_at_ms) WHERE anchor_id IS NULL;
  CREATE INDEX batches_by_class ON batches (gateway_id, data_class, sequence);
  CREATE INDEX batches_by_first_reading ON batches (gateway_id, first_gateway_seq);

  -- Batch proofs and what the relay found checking them; claims hold the proven public signals.
  CREATE TABLE proofs (
    gateway_id TEXT NOT NULL,
    batch_sequence INTEGER NOT NULL,
    valid INTEGER NOT NULL,
    proof TEXT NOT NULL,
    public_signals TEXT NOT NULL,
    verified_at_ms INTEGER NOT NULL,
    ${BATCH_RECORD_KEYS}
  ) STRICT;

  -- Readings a gateway declared it removed before upload (disk quota), with its signed
  -- account of them: the record stays complete, and the gap is visible.
  CREATE TABLE gaps (
    gateway_id TEXT NOT NULL,
    batch_sequence INTEGER NOT NULL,
    reason TEXT NOT NULL,
    reading_count INTEGER NOT NULL,
    first_gateway_seq INTEGER NOT NULL,
    last_gateway_seq INTEGER NOT NULL,
    -- The encoded Pruned record and the gateway's signature of it.
    pruned BLOB NOT NULL,
    pruned_signature BLOB NOT NULL,
    received_at_ms INTEGER NOT NULL,
    ${BATCH_RECORD_KEYS}
  ) STRICT;
  CREATE INDEX batches_by_anchor ON batches (anchor_id, anchor_position);
  `,
  `
  -- One row the health check writes, to show the database takes writes.
  CREATE TABLE health_checks (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at_ms INTEGER NOT NULL
  ) STRICT;
  `,
  `
  -- Which replica anchors: each new leader takes the next term, and every anchor write
  -- carries the writer's term, refused once a newer leader took over (the fencing token).
  CREATE TABLE anchor_leadership (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    term INTEGER NOT NULL,
    holder TEXT NOT NULL,
    acquired_at_ms INTEGER NOT NULL
  ) STRICT;
  INSERT INTO anchor_leadership (id, term, holder, acquired_at_ms) VALUES (1, 0, '', 0);
  ALTER TABLE anchors ADD COLUMN fencing_term INTEGER NOT NULL DEFAULT 0;
  -- For the fleet view: where a gateway last called from, and when its last batch was stored.
  ALTER TABLE gateways ADD COLUMN address TEXT;
  ALTER TABLE gateways ADD COLUMN last_batch_at_ms INTEGER;
  CREATE INDEX batches_unanchored_by_gateway ON batches (gateway_id) WHERE anchor_id IS NULL;
  `,
  `
  -- For the fleet view: what the gateway last said of itself.
  ALTER TABLE gateways ADD COLUMN software_version TEXT;
  -- The gateway's clock minus the relay's, as of its last heartbeat or registration.
  ALTER TABLE gateways ADD COLUMN clock_offset_ms INTEGER;
  -- What operators decided about a gateway's calls, kept apart from what the gateway
  -- reports so that a gateway never heard from can be revoked or limited ahead of its first call.
  CREATE TABLE gateway_access (
    gateway_id TEXT PRIMARY KEY,
    revoked_at_ms INTEGER,
    revoked_reason TEXT,
    -- JSON array of CIDR blocks the gateway may call from; NULL: any address.
    allowed_cidrs TEXT,
    -- Overrides the configured default rate limit; NULL: the default.
    batches_per_second REAL,
    burst INTEGER,
    updated_at_ms INTEGER NOT NULL
  ) STRICT;
  `,
  `
  -- 1: payload is the encoded Batch compressed with raw DEFLATE (store/stored-payload.ts).
  ALTER TABLE batches ADD COLUMN payload_deflated INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- Readings' disclosure proofs, made for their receipts on first request (the proof that a
  -- reading's claims bits are in its batch's claims words, without the other readings').
  CREATE TABLE disclosures (
    gateway_id TEXT NOT NULL,
    gateway_seq INTEGER NOT NULL,
    proof TEXT NOT NULL,
    public_signals TEXT NOT NULL,
    made_at_ms INTEGER NOT NULL,
    PRIMARY KEY (gateway_id, gateway_seq)
  ) STRICT;
  `,
  `
  -- The batch's path in its anchor's tree, kept when anchoring for its receipts: the siblings'
  -- 32 bytes each, leaf level first. NULL for batches anchored before paths were kept.
  ALTER TABLE batches ADD COLUMN anchor_path BLOB;
  `,
];
