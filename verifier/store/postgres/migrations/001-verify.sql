-- The verifier's schema on PostgreSQL: the same tables as the SQLite migrations (verifier/store/migrations),
-- with PostgreSQL's types: times are milliseconds since the epoch (BIGINT), flags are BOOLEAN, and `seq`
-- gives rows the insertion order SQLite's rowid gives.

CREATE TABLE services (
  sid                           TEXT PRIMARY KEY,
  account_sid                   TEXT NOT NULL,
  friendly_name                 TEXT NOT NULL,
  code_length                   INTEGER NOT NULL,
  psd2_enabled                  BOOLEAN NOT NULL DEFAULT FALSE,
  do_not_share_warning_enabled  BOOLEAN NOT NULL DEFAULT FALSE,
  custom_code_enabled           BOOLEAN NOT NULL DEFAULT FALSE,
  verification_ttl              INTEGER NOT NULL,
  status_callback               TEXT,
  created_at                    BIGINT NOT NULL,
  updated_at                    BIGINT NOT NULL
);
CREATE INDEX services_account ON services (account_sid, created_at);

-- A code is never stored: `code_nonce` derives it under the server key, `code_hash` checks it.
CREATE TABLE verifications (
  sid                   TEXT PRIMARY KEY,
  seq                   BIGINT GENERATED ALWAYS AS IDENTITY,
  service_sid           TEXT NOT NULL REFERENCES services (sid) ON DELETE CASCADE,
  account_sid           TEXT NOT NULL,
  recipient             TEXT NOT NULL,
  channel               TEXT NOT NULL,
  status                TEXT NOT NULL,
  code_nonce            TEXT,
  code_hash             TEXT NOT NULL,
  custom_code           BOOLEAN NOT NULL DEFAULT FALSE,
  locale                TEXT,
  custom_friendly_name  TEXT,
  amount                TEXT,
  payee                 TEXT,
  checks                INTEGER NOT NULL DEFAULT 0,
  sends                 INTEGER NOT NULL DEFAULT 0,
  -- The hosted-pages session that started it (a hash of its id; NULL through the API).
  page_session          TEXT,
  -- The code length at the start: a re-send says the same code after the service's CodeLength changed.
  code_length           INTEGER,
  expires_at            BIGINT NOT NULL,
  created_at            BIGINT NOT NULL,
  updated_at            BIGINT NOT NULL
);
CREATE INDEX verifications_pending ON verifications (service_sid, recipient) WHERE status = 'pending';
CREATE INDEX verifications_expiring ON verifications (expires_at) WHERE status = 'pending';
CREATE INDEX verifications_recipient_time ON verifications (recipient, created_at);
CREATE INDEX verifications_latest ON verifications (service_sid, recipient, created_at);
CREATE INDEX verifications_finished ON verifications (updated_at) WHERE status <> 'pending';

CREATE TABLE attempts (
  sid               TEXT PRIMARY KEY,
  seq               BIGINT GENERATED ALWAYS AS IDENTITY,
  verification_sid  TEXT NOT NULL REFERENCES verifications (sid) ON DELETE CASCADE,
  service_sid       TEXT NOT NULL,
  recipient         TEXT NOT NULL,
  channel           TEXT NOT NULL,
  outbox_id         TEXT,
  delivery_status   TEXT NOT NULL DEFAULT 'queued',
  call_sid          TEXT,
  token_hash        TEXT,
  token_expires_at  BIGINT,
  error             TEXT,
  created_at        BIGINT NOT NULL,
  updated_at        BIGINT NOT NULL
);
CREATE INDEX attempts_verification ON attempts (verification_sid, created_at);
CREATE INDEX attempts_recipient_time ON attempts (recipient, created_at);
CREATE INDEX attempts_service_time ON attempts (service_sid, created_at);
CREATE INDEX attempts_outbox ON attempts (outbox_id);
CREATE INDEX attempts_token ON attempts (token_hash);

CREATE TABLE blocked_prefixes (
  prefix      TEXT PRIMARY KEY,
  reason      TEXT NOT NULL,
  until       BIGINT,
  created_at  BIGINT NOT NULL
);

-- Values every instance must share (sealed under the code key where they are secret).
CREATE TABLE secrets (
  name        TEXT PRIMARY KEY,
  value       TEXT NOT NULL,
  created_at  BIGINT NOT NULL
);

-- ES256 keys that sign session tokens. `retired_at` is set when a newer key takes over;
-- a retired key stays published until the last token it signed has expired.
CREATE TABLE session_keys (
  kid          TEXT PRIMARY KEY,
  private_jwk  TEXT NOT NULL,
  public_jwk   TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  retired_at   BIGINT
);

-- One row per start or check on the hosted pages, counted in sliding windows per client IP and per number.
CREATE TABLE page_hits (
  bucket      TEXT NOT NULL,
  subject     TEXT NOT NULL,
  at          BIGINT NOT NULL
);
CREATE INDEX page_hits_window ON page_hits (bucket, subject, at);

-- The fraud guard's counts: starts and approvals per service, origin ('api' or 'page'), number
-- prefix and time bucket, so judging a prefix reads a window's few rows whatever its history.
CREATE TABLE fraud_counters (
  service_sid  TEXT NOT NULL,
  origin       TEXT NOT NULL,
  prefix       TEXT NOT NULL,
  bucket       BIGINT NOT NULL,
  starts       INTEGER NOT NULL DEFAULT 0,
  approvals    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (service_sid, origin, prefix, bucket)
);
CREATE INDEX fraud_counters_bucket ON fraud_counters (bucket);

-- Prefixes the fraud guard blocked, for one service and one origin only.
CREATE TABLE fraud_blocks (
  service_sid  TEXT NOT NULL,
  origin       TEXT NOT NULL,
  prefix       TEXT NOT NULL,
  reason       TEXT NOT NULL,
  until        BIGINT NOT NULL,
  created_at   BIGINT NOT NULL,
  PRIMARY KEY (service_sid, origin, prefix)
);
