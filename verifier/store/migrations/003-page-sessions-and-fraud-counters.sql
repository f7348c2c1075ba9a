-- The hosted-pages session that started a verification (a hash of its id; NULL through the API).
-- A page verification is found, re-sent and checked only by the browser that started it.
ALTER TABLE verifications ADD COLUMN page_session TEXT;
-- The code length at the start: a re-send says the same code after the service's CodeLength changed.
ALTER TABLE verifications ADD COLUMN code_length INTEGER;
CREATE INDEX verifications_latest ON verifications (service_sid, recipient, created_at);

-- The fraud guard's counts: starts and approvals per service, origin ('api' or 'page'), number
-- prefix and time bucket, so judging a prefix reads a window's few rows whatever its history.
CREATE TABLE fraud_counters (
  service_sid  TEXT NOT NULL,
  origin       TEXT NOT NULL,
  prefix       TEXT NOT NULL,
  bucket       INTEGER NOT NULL,
  starts       INTEGER NOT NULL DEFAULT 0,
  approvals    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (service_sid, origin, prefix, bucket)
) WITHOUT ROWID;
CREATE INDEX fraud_counters_bucket ON fraud_counters (bucket);

-- Prefixes the fraud guard blocked, for one service and one origin only.
CREATE TABLE fraud_blocks (
  service_sid  TEXT NOT NULL,
  origin       TEXT NOT NULL,
  prefix       TEXT NOT NULL,
  reason       TEXT NOT NULL,
  until        INTEGER NOT NULL,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (service_sid, origin, prefix)
) WITHOUT ROWID;
