-- Receipts that arrived before the send that caused them was recorded (a fast SMSC answers the
-- receipt right after submit_sm_resp). They are applied when the parts are written.
CREATE TABLE early_receipts (
  message_id   TEXT PRIMARY KEY,
  delivery     TEXT NOT NULL,
  stat         TEXT NOT NULL,
  error_code   TEXT,
  received_at  INTEGER NOT NULL
);
