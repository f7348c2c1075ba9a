-- Signing keys in the order they were made (SQLite's rowid order): two made in one millisecond keep it.
ALTER TABLE session_keys ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY;
