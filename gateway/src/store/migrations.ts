/**
 * Schema versions of the gateway database, applied in order and recorded in
 * PRAGMA user_version. Released migrations are never edited; a change is a new entry.
 */
export const GATEWAY_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE devices (
    device_id TEXT PRIMARY KEY,
    -- Uncompressed P-256 point (65 bytes), as the device exports it.
    public_key BLOB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
    -- Highest frame counter accepted; frames must exceed it (replay protection).
    last_counter INTEGER NOT NULL DEFAULT 0,
    registered_at_ms INTEGER NOT NULL
  ) STRICT;

  -- AUTOINCREMENT keeps gateway_seq increasing even if old readings are deleted.
  CREATE TABLE readings (
    gateway_seq INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id TEXT NOT NULL,
    frame_counter INTEGER NOT NULL,
    channel INTEGER NOT NULL,
    channel_index INTEGER NOT NULL,
    sampled_at_ms INTEGER NOT NULL,
    received_at_ms INTEGER NOT NULL,
    value INTEGER NOT NULL,
    scale INTEGER NOT NULL
  ) STRICT;

  -- Batches cover contiguous runs of gateway_seq and chain by hash.
  CREATE TABLE batches (
    sequence INTEGER PRIMARY KEY,
    batch_hash BLOB NOT NULL UNIQUE,
    previous_batch_hash BLOB NOT NULL,
    readings_root BLOB NOT NULL,
    first_gateway_seq INTEGER NOT NULL,
    last_gateway_seq INTEGER NOT NULL,
    sealed_at_ms INTEGER NOT NULL,
    signature BLOB NOT NULL,
    acked_at_ms INTEGER
  ) STRICT;
  CREATE INDEX batches_unacked ON batches (sequence) WHERE acked_at_ms IS NULL;
  `,
];
