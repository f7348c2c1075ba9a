CREATE TABLE services (
  sid                           TEXT PRIMARY KEY,
  account_sid                   TEXT NOT NULL,
  friendly_name                 TEXT NOT NULL,
  code_length                   INTEGER NOT NULL,
  psd2_enabled                  INTEGER NOT NULL DEFAULT 0,
  do_not_share_warning_enabled  INTEGER NOT NULL DEFAULT 0,
  custom_code_enabled           INTEGER NOT NULL DEFAULT 0,
  verification_ttl              INTEGER NOT NULL,
  status_callback               TEXT,
  created_at                    INTEGER NOT NULL,
  updated_at                    INTEGER NOT NULL
);
CREATE INDEX services_account ON services (account_sid, created_at);

-- A code is never stored: `code_nonce` derives it under the server key, `code_hash` checks it.
CREATE TABLE verifications (
  sid              TEXT PRIMARY KEY,
  service_sid      TEXT NOT NULL REFERENCES services (sid) ON DELETE CASCADE,
  account_sid      TEXT NOT NULL,
  recipient        TEXT NOT NULL,
  channel          TEXT NOT NULL,
  status           TEXT NOT NULL,
  code_nonce       TEXT,
  code_hash        TEXT NOT NULL,
  custom_code      INTEGER NOT NULL DEFAULT 0,
  locale           TEXT,
  custom_friendly_name TEXT,
  amount           TEXT,
  payee            TEXT,
  checks           INTEGER NOT NULL DEFAULT 0,
  sends            INTEGER NOT NULL DEFAULT 0,
  expires_at       INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);
CREATE INDEX verifications_pending ON verifications (service_sid, recipient) WHERE status = 'pending';
CREATE INDEX verifications_expiring ON verifications (expires_at) WHERE status = 'pending';
CREATE INDEX verifications_recipient_time ON verifications (recipient, created_at);

CREATE TABLE attempts (
  sid               TEXT PRIMARY KEY,
  verification_sid  TEXT NOT NULL REFERENCES verifications (sid) ON DELETE CASCADE,
  service_sid       TEXT NOT NULL,
  recipient         TEXT NOT NULL,
  channel           TEXT NOT NULL,
  outbox_id         TEXT,
  delivery_status   TEXT NOT NULL DEFAULT 'queued',
  call_sid          TEXT,
  token_hash        TEXT,
  token_expires_at  INTEGER,
  error             TEXT,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL
);
CREATE INDEX attempts_verification ON attempts (verification_sid, created_at);
CREATE INDEX attempts_recipient_time ON attempts (recipient, created_at);
CREATE INDEX attempts_service_time ON attempts (service_sid, created_at);
CREATE INDEX attempts_outbox ON attempts (outbox_id);
CREATE INDEX attempts_token ON attempts (token_hash);

CREATE TABLE blocked_prefixes (
  prefix      TEXT PRIMARY KEY,
  reason      TEXT NOT NULL,
  until       INTEGER,
  created_at  INTEGER NOT NULL
);

CREATE TABLE secrets (
  name        TEXT PRIMARY KEY,
  value       TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
