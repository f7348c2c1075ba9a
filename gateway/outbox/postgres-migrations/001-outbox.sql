-- The outbox on PostgreSQL: the same tables as gateway/outbox/migrations, times in milliseconds (BIGINT).
-- What must reach a carrier: written in the same transaction as the record that caused it, claimed by a
-- dispatcher of any instance with a lease (FOR UPDATE SKIP LOCKED), sent at least once, never after expires_at.
CREATE TABLE outbox (
  id               TEXT PRIMARY KEY,
  kind             TEXT NOT NULL CHECK (kind IN ('sms', 'call')),
  payload          TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'expired')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  BIGINT NOT NULL,
  expires_at       BIGINT NOT NULL,
  lease_owner      TEXT,
  lease_until      BIGINT,
  route            TEXT,
  result           TEXT,
  last_error       TEXT,
  smpp_status      INTEGER,
  created_at       BIGINT NOT NULL,
  finished_at      BIGINT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_lease_owner ON outbox (lease_owner) WHERE status = 'pending';
CREATE INDEX outbox_finished ON outbox (finished_at) WHERE status <> 'pending';

-- One row per SMSC message id of a sent SMS: receipts are matched here, through the shared store, so a
-- receipt that arrives on another instance's bind still finds its message.
CREATE TABLE outbox_sms_parts (
  message_id  TEXT NOT NULL,
  outbox_id   TEXT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
  part        INTEGER NOT NULL,
  delivery    TEXT NOT NULL DEFAULT 'pending',
  stat        TEXT,
  error_code  TEXT,
  updated_at  BIGINT,
  PRIMARY KEY (message_id, outbox_id)
);
CREATE INDEX outbox_sms_parts_outbox ON outbox_sms_parts (outbox_id);

-- Numbers that answered STOP (or a synonym) in an MO message.
CREATE TABLE opt_outs (
  number      TEXT PRIMARY KEY,
  keyword     TEXT NOT NULL,
  created_at  BIGINT NOT NULL
);

-- Receipts that arrived (on any instance's bind) before the instance that sent the message recorded its
-- message id. They are applied when the parts are written, and pruned by age.
CREATE TABLE early_receipts (
  message_id   TEXT PRIMARY KEY,
  delivery     TEXT NOT NULL,
  stat         TEXT NOT NULL,
  error_code   TEXT,
  received_at  BIGINT NOT NULL
);
CREATE INDEX early_receipts_age ON early_receipts (received_at);
