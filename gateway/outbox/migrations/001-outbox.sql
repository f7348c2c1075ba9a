-- What must reach a carrier: written in the same transaction as the record that caused it,
-- claimed by a dispatcher with a lease, sent at least once, never after expires_at.
CREATE TABLE outbox (
  id               TEXT PRIMARY KEY,
  kind             TEXT NOT NULL CHECK (kind IN ('sms', 'call')),
  payload          TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'expired')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  expires_at       INTEGER NOT NULL,
  lease_owner      TEXT,
  lease_until      INTEGER,
  route            TEXT,
  result           TEXT,
  last_error       TEXT,
  smpp_status      INTEGER,
  created_at       INTEGER NOT NULL,
  finished_at      INTEGER
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';

-- One row per SMSC message id of a sent SMS: receipts are matched here, through the store, so a
-- receipt that arrives on another instance's bind still finds its message.
CREATE TABLE outbox_sms_parts (
  message_id  TEXT NOT NULL,
  outbox_id   TEXT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
  part        INTEGER NOT NULL,
  delivery    TEXT NOT NULL DEFAULT 'pending',
  stat        TEXT,
  error_code  TEXT,
  updated_at  INTEGER,
  PRIMARY KEY (message_id, outbox_id)
);
CREATE INDEX outbox_sms_parts_outbox ON outbox_sms_parts (outbox_id);
