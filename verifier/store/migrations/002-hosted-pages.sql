-- ES256 keys that sign session tokens. `retired_at` is set when a newer key takes over;
-- a retired key stays published until the last token it signed has expired.
CREATE TABLE session_keys (
  kid          TEXT PRIMARY KEY,
  private_jwk  TEXT NOT NULL,
  public_jwk   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  retired_at   INTEGER
);

-- One row per start or check on the hosted pages, counted in sliding windows per client IP and per number.
CREATE TABLE page_hits (
  bucket      TEXT NOT NULL,
  subject     TEXT NOT NULL,
  at          INTEGER NOT NULL
);
CREATE INDEX page_hits_window ON page_hits (bucket, subject, at);
