-- The rest of Verify v2's surface: API keys, programmable rate limits, the safe list, messaging
-- configurations, webhooks and TOTP factors. Secrets are never stored in clear: API key secrets as a
-- SHA-256 (they are 256 random bits, so a fast hash is enough), TOTP seeds sealed under the code key.

CREATE TABLE api_keys (
  sid            TEXT PRIMARY KEY,
  account_sid    TEXT NOT NULL,
  friendly_name  TEXT NOT NULL,
  secret_hash    TEXT NOT NULL,
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL
);
CREATE INDEX api_keys_account ON api_keys (account_sid, created_at);

CREATE TABLE rate_limits (
  sid          TEXT PRIMARY KEY,
  service_sid  TEXT NOT NULL REFERENCES services (sid) ON DELETE CASCADE,
  account_sid  TEXT NOT NULL,
  unique_name  TEXT NOT NULL,
  description  TEXT,
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL,
  UNIQUE (service_sid, unique_name)
);

CREATE TABLE rate_limit_buckets (
  sid             TEXT PRIMARY KEY,
  rate_limit_sid  TEXT NOT NULL REFERENCES rate_limits (sid) ON DELETE CASCADE,
  service_sid     TEXT NOT NULL,
  account_sid     TEXT NOT NULL,
  max             INTEGER NOT NULL,
  interval        INTEGER NOT NULL,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL,
  UNIQUE (rate_limit_sid, interval)
);

-- One counter per bucket, metered value (hashed: it may be an IP or a user id) and fixed window.
CREATE TABLE rate_limit_hits (
  bucket_sid    TEXT NOT NULL REFERENCES rate_limit_buckets (sid) ON DELETE CASCADE,
  value_hash    TEXT NOT NULL,
  window_start  BIGINT NOT NULL,
  count         INTEGER NOT NULL,
  PRIMARY KEY (bucket_sid, value_hash, window_start)
);

CREATE TABLE safe_list (
  phone_number  TEXT PRIMARY KEY,
  sid           TEXT NOT NULL,
  account_sid   TEXT NOT NULL,
  created_at    BIGINT NOT NULL
);

CREATE TABLE messaging_configurations (
  service_sid            TEXT NOT NULL REFERENCES services (sid) ON DELETE CASCADE,
  account_sid            TEXT NOT NULL,
  country                TEXT NOT NULL,
  messaging_service_sid  TEXT NOT NULL,
  created_at             BIGINT NOT NULL,
  updated_at             BIGINT NOT NULL,
  PRIMARY KEY (service_sid, country)
);

CREATE TABLE webhooks (
  sid             TEXT PRIMARY KEY,
  service_sid     TEXT NOT NULL REFERENCES services (sid) ON DELETE CASCADE,
  account_sid     TEXT NOT NULL,
  friendly_name   TEXT NOT NULL,
  event_types     TEXT NOT NULL,
  status          TEXT NOT NULL,
  version         TEXT NOT NULL,
  webhook_url     TEXT NOT NULL,
  webhook_method  TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL
);
CREATE INDEX webhooks_service ON webhooks (service_sid, created_at);

CREATE TABLE entities (
  sid          TEXT PRIMARY KEY,
  service_sid  TEXT NOT NULL REFERENCES services (sid) ON DELETE CASCADE,
  account_sid  TEXT NOT NULL,
  identity     TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL,
  UNIQUE (service_sid, identity)
);

CREATE TABLE factors (
  sid            TEXT PRIMARY KEY,
  entity_sid     TEXT NOT NULL REFERENCES entities (sid) ON DELETE CASCADE,
  service_sid    TEXT NOT NULL,
  account_sid    TEXT NOT NULL,
  identity       TEXT NOT NULL,
  friendly_name  TEXT NOT NULL,
  status         TEXT NOT NULL,
  factor_type    TEXT NOT NULL,
  secret_sealed  TEXT NOT NULL,
  config         TEXT NOT NULL,
  metadata       TEXT,
  attempts       INTEGER NOT NULL DEFAULT 0,
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL
);
CREATE INDEX factors_entity ON factors (entity_sid, created_at);

CREATE TABLE challenges (
  sid               TEXT PRIMARY KEY,
  factor_sid        TEXT NOT NULL REFERENCES factors (sid) ON DELETE CASCADE,
  entity_sid        TEXT NOT NULL,
  service_sid       TEXT NOT NULL,
  account_sid       TEXT NOT NULL,
  identity          TEXT NOT NULL,
  status            TEXT NOT NULL,
  responded_reason  TEXT NOT NULL DEFAULT 'none',
  details           TEXT,
  hidden_details    TEXT,
  metadata          TEXT,
  attempts          INTEGER NOT NULL DEFAULT 0,
  expires_at        BIGINT NOT NULL,
  responded_at      BIGINT,
  created_at        BIGINT NOT NULL,
  updated_at        BIGINT NOT NULL
);
CREATE INDEX challenges_entity ON challenges (entity_sid, created_at);
