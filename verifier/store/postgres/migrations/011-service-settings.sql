-- Twilio's further service settings as one JSON object, as on SQLite (verifier/store/migrations/011-service-settings.sql).
ALTER TABLE services ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
