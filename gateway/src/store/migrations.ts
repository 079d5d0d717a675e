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
    -- Last command id issued to the device; the next command gets the one after.
    last_command_id INTEGER NOT NULL DEFAULT 0,
    registered_at_ms INTEGER NOT NULL,
    last_seen_ms INTEGER,
    last_transport TEXT,
    -- The last DeviceStatus the device reported, encoded.
    last_status BLOB
  ) STRICT;

  -- Boots of the gateway's host, numbered, so readings can be dated by uptime when the
  -- wall clock could not be trusted.
  CREATE TABLE boots (
    boot INTEGER PRIMARY KEY,
    boot_id TEXT NOT NULL UNIQUE,
    first_seen_ms INTEGER NOT NULL
  ) STRICT;

  -- AUTOINCREMENT keeps gateway_seq increasing even after old readings are deleted.
  CREATE TABLE readings (
    gateway_seq INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id TEXT NOT NULL,
    frame_counter INTEGER NOT NULL,
    channel INTEGER NOT NULL,
    channel_index INTEGER NOT NULL,
    sampled_at_ms INTEGER NOT NULL,
    received_at_ms INTEGER NOT NULL,
    value INTEGER NOT NULL,
    scale INTEGER NOT NULL,
    data_class INTEGER NOT NULL,
    time_uncertain INTEGER NOT NULL,
    received_boot INTEGER NOT NULL,
    received_uptime_ms INTEGER NOT NULL
  ) STRICT;
  -- Sealing and uploading walk one data class at a time.
  CREATE INDEX readings_by_class ON readings (data_class, gateway_seq);

  -- A batch holds the readings of one data class between first and last gateway_seq.
  -- Batches chain by hash across classes.
  CREATE TABLE batches (
    sequence INTEGER PRIMARY KEY,
    batch_hash BLOB NOT NULL UNIQUE,
    previous_batch_hash BLOB NOT NULL,
    readings_root BLOB NOT NULL,
    data_class INTEGER NOT NULL,
    reading_count INTEGER NOT NULL,
    first_gateway_seq INTEGER NOT NULL,
    last_gateway_seq INTEGER NOT NULL,
    sealed_at_ms INTEGER NOT NULL,
    signature BLOB NOT NULL,
    acked_at_ms INTEGER,
    -- When the readings of an acknowledged batch were deleted to keep the disk within
    -- its retention; the relay holds them.
    released_at_ms INTEGER,
    -- Set when the readings were deleted to free space: the encoded Pruned record and
    -- the gateway's signature of it, sent in place of the readings.
    pruned BLOB,
    pruned_signature BLOB
  ) STRICT;
  CREATE INDEX batches_unacked ON batches (sequence) WHERE acked_at_ms IS NULL;
  `,
];
