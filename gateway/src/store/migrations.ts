/** The columns of the first readings table that reading_rows, which replaced it, keeps as they were. */
const KEPT_READING_COLUMNS = `received_at_ms INTEGER NOT NULL,
    value INTEGER NOT NULL,
    scale INTEGER NOT NULL,
    data_class INTEGER NOT NULL,
    time_uncertain INTEGER NOT NULL,
    received_boot INTEGER NOT NULL,
    received_uptime_ms INTEGER NOT NULL`;

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
    ${KEPT_READING_COLUMNS}
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

  -- Zero-knowledge proofs of batches' claims, made after sealing and uploaded after the batch.
  CREATE TABLE proofs (
    batch_sequence INTEGER PRIMARY KEY REFERENCES batches (sequence),
    -- The Groth16 proof as snarkjs JSON, and its public signals as a JSON array.
    proof TEXT NOT NULL,
    public_signals TEXT NOT NULL,
    proved_at_ms INTEGER NOT NULL,
    uploaded_at_ms INTEGER,
    -- The relay's verdict once it checked the proof.
    valid INTEGER
  ) STRICT;
  CREATE INDEX proofs_to_upload ON proofs (batch_sequence) WHERE uploaded_at_ms IS NULL;
  `,
  `
  -- Gateway accounts; password_hash is a self-describing scrypt hash (auth/password-hash.ts).
  CREATE TABLE accounts (
    username TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('technician', 'integrator', 'viewer')),
    password_hash TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
  ) STRICT;

  -- Browser sessions and API tokens. Only the SHA-256 of a token is kept, so a copy of the
  -- database does not log anyone in.
  CREATE TABLE auth_tokens (
    id INTEGER PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE,
    username TEXT NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('session', 'api')),
    label TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER,
    last_used_at_ms INTEGER
  ) STRICT;
  CREATE INDEX auth_tokens_by_user ON auth_tokens (username);

  -- Who changed what and when. Rows are only ever added.
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    details TEXT NOT NULL
  ) STRICT;
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

  -- Virtual devices of flows (flow.<name>): what they write back is stored in readings,
  -- with frame_counter counting per source, and so batched and anchored like a device's.
  CREATE TABLE derived_sources (
    source_id TEXT PRIMARY KEY,
    last_counter INTEGER NOT NULL DEFAULT 0,
    registered_at_ms INTEGER NOT NULL
  ) STRICT;

  -- What an alert says. The alert itself is the reading at gateway_seq (channel ALERT,
  -- value = severity, channel_index = code), which is what gets anchored.
  CREATE TABLE alerts (
    gateway_seq INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    code INTEGER NOT NULL,
    message TEXT NOT NULL,
    subject_device_id TEXT,
    subject_gateway_seq INTEGER,
    raised_at_ms INTEGER NOT NULL
  ) STRICT;
  `,
  `
  -- Anomaly inference (gateway/src/inference): filled after the reading is stored, never on
  -- the ingest path. anomalous stays NULL until the reading is decided; the batch sealer only
  -- seals decided readings. A reading decided without a model score says why in
  -- unscored_reason: 'warming-up' (its channel had too little history), 'scoring-timeout'
  -- (sealed before the scorer reached it), 'inference-disabled', 'before-inference' (stored
  -- before this migration: batches may already commit to them as not anomalous).
  ALTER TABLE readings ADD COLUMN anomaly_score REAL;
  ALTER TABLE readings ADD COLUMN anomalous INTEGER;
  ALTER TABLE readings ADD COLUMN model_version TEXT;
  ALTER TABLE readings ADD COLUMN unscored_reason TEXT;
  UPDATE readings SET anomalous = 0, unscored_reason = 'before-inference';
  `,
  `
  -- Devices log in to the embedded MQTT broker as their device id with a token the gateway
  -- issued (gateway/src/devices/mqtt-credentials.ts); only the token's SHA-256 is kept. NULL:
  -- no token issued, the device cannot log in.
  ALTER TABLE devices ADD COLUMN mqtt_password_hash BLOB;
  `,
  `
  -- A batch's state in its life on the gateway (gateway/src/batch/batch-state.ts): sealed,
  -- pruned, acknowledged, released or gap-acknowledged. Only the outbox moves it, and only
  -- along the lifecycle's transitions; acked_at_ms, released_at_ms and pruned say when and
  -- with what it got there. Existing batches get the state their columns imply.
  ALTER TABLE batches ADD COLUMN state TEXT NOT NULL DEFAULT 'sealed'
    CHECK (state IN ('sealed', 'pruned', 'acknowledged', 'released', 'gap-acknowledged'));
  UPDATE batches SET state = CASE
    WHEN pruned IS NOT NULL AND acked_at_ms IS NOT NULL THEN 'gap-acknowledged'
    WHEN pruned IS NOT NULL THEN 'pruned'
    WHEN released_at_ms IS NOT NULL THEN 'released'
    WHEN acked_at_ms IS NOT NULL THEN 'acknowledged'
    ELSE 'sealed'
  END;
  DROP INDEX batches_unacked;
  CREATE INDEX batches_by_state ON batches (state, sequence);
  `,
  `
  -- Device lifecycle over the admin API (gateway/src/devices). A decommissioned device is
  -- kept, with its readings, so its id is never registered again. settings holds what a
  -- technician set for the device (stream bounds, data classes, anomaly thresholds) as JSON.
  CREATE TABLE devices_next (
    device_id TEXT PRIMARY KEY,
    public_key BLOB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'decommissioned')),
    last_counter INTEGER NOT NULL DEFAULT 0,
    last_command_id INTEGER NOT NULL DEFAULT 0,
    registered_at_ms INTEGER NOT NULL,
    last_seen_ms INTEGER,
    last_transport TEXT,
    last_status BLOB,
    mqtt_password_hash BLOB,
    settings TEXT NOT NULL DEFAULT '{}',
    status_changed_at_ms INTEGER
  ) STRICT;
  INSERT INTO devices_next (device_id, public_key, status, last_counter, last_command_id, registered_at_ms,
      last_seen_ms, last_transport, last_status, mqtt_password_hash)
    SELECT device_id, public_key, status, last_counter, last_command_id, registered_at_ms,
      last_seen_ms, last_transport, last_status, mqtt_password_hash FROM devices;
  DROP TABLE devices;
  ALTER TABLE devices_next RENAME TO devices;

  -- Every key a device had before its current one: which key replaced it, when, by whom,
  -- and the old key's signature of the handover (docs/wire-formats.md, Key rotation); NULL
  -- for a recovery by a technician on the command line, when the old key was lost.
  CREATE TABLE device_key_rotations (
    id INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    old_public_key BLOB NOT NULL,
    new_public_key BLOB NOT NULL,
    handover_signature BLOB,
    -- The old key's last accepted counter, and the counter the new key's frames must exceed.
    old_last_counter INTEGER NOT NULL,
    new_counter INTEGER NOT NULL,
    rotated_at_ms INTEGER NOT NULL,
    actor TEXT NOT NULL
  ) STRICT;
  CREATE INDEX device_key_rotations_by_device ON device_key_rotations (device_id, id);

  -- The stream bounds a batch was committed with: JSON [{deviceId, channel, channelIndex,
  -- scale, min, max}] of the streams narrower than int32 (the wire Batch.stream_bounds).
  ALTER TABLE batches ADD COLUMN stream_bounds TEXT NOT NULL DEFAULT '[]';
  `,
  `
  -- Edge analytics (gateway/src/analytics), kept from the readings table by following it in
  -- gateway_seq order. rollups: per stream (device, channel, index) and resolution (60000:
  -- one minute, 3600000: one hour), the aggregates of the readings sampled in the bucket
  -- [bucket_ms, bucket_ms + resolution_ms), physical values (value x 10^-scale). last_value
  -- is the value sampled last (ties: the later gateway_seq); late_count counts readings
  -- that arrived after the stream's event time had passed them by more than the allowed
  -- lateness; min_gateway_seq and max_gateway_seq bound where the bucket's raw readings are.
  CREATE TABLE rollups (
    device_id TEXT NOT NULL,
    channel INTEGER NOT NULL,
    channel_index INTEGER NOT NULL,
    resolution_ms INTEGER NOT NULL,
    bucket_ms INTEGER NOT NULL,
    count INTEGER NOT NULL,
    min_value REAL NOT NULL,
    max_value REAL NOT NULL,
    sum_value REAL NOT NULL,
    last_value REAL NOT NULL,
    last_sampled_at_ms INTEGER NOT NULL,
    last_gateway_seq INTEGER NOT NULL,
    anomaly_count INTEGER NOT NULL DEFAULT 0,
    late_count INTEGER NOT NULL DEFAULT 0,
    min_gateway_seq INTEGER NOT NULL,
    max_gateway_seq INTEGER NOT NULL,
    PRIMARY KEY (device_id, channel, channel_index, resolution_ms, bucket_ms)
  ) STRICT, WITHOUT ROWID;
  -- Retention deletes by resolution and age.
  CREATE INDEX rollups_by_age ON rollups (resolution_ms, bucket_ms);

  -- Per stream: how far its event time has got (the newest sample time) and when the
  -- gateway last received one of its readings (for no-data rules).
  CREATE TABLE analytics_streams (
    device_id TEXT NOT NULL,
    channel INTEGER NOT NULL,
    channel_index INTEGER NOT NULL,
    watermark_ms INTEGER NOT NULL,
    last_received_ms INTEGER NOT NULL,
    PRIMARY KEY (device_id, channel, channel_index)
  ) STRICT, WITHOUT ROWID;

  -- How far analytics has followed the readings table: 'values' over every stored reading,
  -- 'decisions' over readings whose anomaly flag is decided.
  CREATE TABLE analytics_cursors (
    name TEXT PRIMARY KEY,
    gateway_seq INTEGER NOT NULL
  ) STRICT;

  -- What each alert rule knows of each subject (a stream, or a device for no-data rules):
  -- whether it fires, and the rule kind's memory as JSON.
  CREATE TABLE alert_rule_state (
    rule TEXT NOT NULL,
    subject TEXT NOT NULL,
    firing INTEGER NOT NULL,
    memory TEXT NOT NULL,
    PRIMARY KEY (rule, subject)
  ) STRICT;

  -- Every firing and resolution of a rule, written in the same transaction as the state that
  -- caused it, then delivered: as an alert reading (alert_gateway_seq, anchored like any
  -- reading), on MQTT and to the webhook.
  CREATE TABLE rule_alerts (
    id INTEGER PRIMARY KEY,
    rule TEXT NOT NULL,
    subject TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('firing', 'resolved')),
    severity TEXT NOT NULL,
    code INTEGER NOT NULL,
    message TEXT NOT NULL,
    subject_device_id TEXT NOT NULL,
    subject_gateway_seq INTEGER,
    at_ms INTEGER NOT NULL,
    alert_gateway_seq INTEGER,
    mqtt_published_at_ms INTEGER,
    webhook_state TEXT CHECK (webhook_state IN ('pending', 'delivered', 'failed')),
    webhook_attempts INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  CREATE INDEX rule_alerts_undelivered ON rule_alerts (id) WHERE alert_gateway_seq IS NULL;
  `,
  `
  -- Readings kept compactly (docs/decisions.md): what each row repeated is stored once and
  -- referred to by a small integer, the sample time as its lag behind the receive time
  -- (small while the device's and the gateway's clocks agree), and no index by data class:
  -- every walk through one class's readings is a range of gateway_seq (the store remembers
  -- where a class has none). The view readings shows them as they were, so every reader
  -- and the columns they select stay as they were.
  CREATE TABLE reading_sources (
    source INTEGER PRIMARY KEY,
    -- A device id, or a flow's virtual device (flow.<name>).
    source_id TEXT NOT NULL UNIQUE
  ) STRICT;
  CREATE TABLE anomaly_models (
    model INTEGER PRIMARY KEY,
    -- <model name>@<version>
    model_version TEXT NOT NULL UNIQUE
  ) STRICT;
  CREATE TABLE unscored_reasons (
    code INTEGER PRIMARY KEY,
    reason TEXT NOT NULL UNIQUE
  ) STRICT;
  -- Codes 0 and 1 take no bytes in a row: the commonest reasons get them.
  INSERT INTO unscored_reasons (code, reason) VALUES
    (0, 'inference-disabled'), (1, 'warming-up'), (2, 'scoring-timeout'), (3, 'before-inference');
  -- Every data class a reading was stored with, so the classes to seal are known without a scan.
  CREATE TABLE reading_classes (
    data_class INTEGER PRIMARY KEY
  ) STRICT;

  -- AUTOINCREMENT keeps gateway_seq increasing even after old readings are deleted.
  CREATE TABLE reading_rows (
    gateway_seq INTEGER PRIMARY KEY AUTOINCREMENT,
    source INTEGER NOT NULL,
    frame_counter INTEGER NOT NULL,
    channel INTEGER NOT NULL,
    channel_index INTEGER NOT NULL,
    -- received_at_ms - sampled_at_ms
    sample_lag_ms INTEGER NOT NULL,
    ${KEPT_READING_COLUMNS},
    anomaly_score REAL,
    anomalous INTEGER,
    model INTEGER,
    unscored INTEGER
  ) STRICT;

  INSERT INTO reading_sources (source_id) SELECT DISTINCT device_id FROM readings ORDER BY device_id;
  INSERT INTO anomaly_models (model_version)
    SELECT DISTINCT model_version FROM readings WHERE model_version IS NOT NULL ORDER BY model_version;
  INSERT INTO reading_classes (data_class) SELECT DISTINCT data_class FROM readings;
  INSERT INTO reading_rows
    SELECT r.gateway_seq, s.source, r.frame_counter, r.channel, r.channel_index, r.received_at_ms - r.sampled_at_ms,
      r.received_at_ms, r.value, r.scale, r.data_class, r.time_uncertain, r.received_boot, r.received_uptime_ms,
      r.anomaly_score, r.anomalous, m.model, u.code
    FROM readings r JOIN reading_sources s ON s.source_id = r.device_id
    LEFT JOIN anomaly_models m ON m.model_version = r.model_version
    LEFT JOIN unscored_reasons u ON u.reason = r.unscored_reason
    ORDER BY r.gateway_seq;
  -- The sequence carries over, readings deleted at its end included.
  INSERT INTO sqlite_sequence (name, seq)
    SELECT 'reading_rows', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'reading_rows');
  UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM sqlite_sequence WHERE name IN ('readings', 'reading_rows'))
    WHERE name = 'reading_rows';
  DROP TABLE readings;

  CREATE VIEW readings AS
    SELECT r.gateway_seq, s.source_id AS device_id, r.frame_counter, r.channel, r.channel_index,
      r.received_at_ms - r.sample_lag_ms AS sampled_at_ms, r.received_at_ms, r.value, r.scale, r.data_class,
      r.time_uncertain, r.received_boot, r.received_uptime_ms, r.anomaly_score, r.anomalous,
      m.model_version, u.reason AS unscored_reason
    FROM reading_rows r JOIN reading_sources s ON s.source = r.source
    LEFT JOIN anomaly_models m ON m.model = r.model
    LEFT JOIN unscored_reasons u ON u.code = r.unscored;
  -- Decisions written through the view (by operators' tools, say) land in the rows.
  CREATE TRIGGER readings_decide INSTEAD OF UPDATE OF anomaly_score, anomalous, model_version, unscored_reason ON readings
  BEGIN
    INSERT OR IGNORE INTO anomaly_models (model_version) SELECT NEW.model_version WHERE NEW.model_version IS NOT NULL;
    UPDATE reading_rows SET anomaly_score = NEW.anomaly_score, anomalous = NEW.anomalous,
      model = (SELECT model FROM anomaly_models WHERE model_version = NEW.model_version),
      unscored = (SELECT code FROM unscored_reasons WHERE reason = NEW.unscored_reason)
    WHERE gateway_seq = OLD.gateway_seq;
  END;
  `,
  `
  -- The secret seed of a batch's salts (32 bytes, commitment layout 2: salted details leaves,
  -- unused code bits filled from it; the wire Batch.salt_seed). NULL for batches sealed before.
  ALTER TABLE batches ADD COLUMN salt_seed BLOB;
  `,
];
