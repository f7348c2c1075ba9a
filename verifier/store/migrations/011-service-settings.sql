-- Twilio's further service settings (LookupEnabled, SkipSmsToLandlines, DtmfInputRequired, TtsName,
-- DefaultTemplateSid, VerifyEventSubscriptionEnabled, Push.*, Totp.*, Whatsapp.*, Passkeys.*) as one JSON
-- object (verifier/service-settings.ts): nothing queries by them, and a missing key reads as its default.
ALTER TABLE services ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
