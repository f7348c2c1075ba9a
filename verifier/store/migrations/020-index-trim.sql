-- Indexes are written on every insert; these were written and never (or badly) read (issue 14).
-- No query reads verifications or attempts by recipient alone: the fraud guard counts per prefix and bucket,
-- and the attempts report's optional filters (`? IS NULL OR …`) cannot use an index.
DROP INDEX IF EXISTS verifications_recipient_time;
DROP INDEX IF EXISTS attempts_recipient_time;
-- Only voice attempts carry a token: the others no longer write an entry.
DROP INDEX IF EXISTS attempts_token;
CREATE INDEX attempts_token ON attempts (token_hash) WHERE token_hash IS NOT NULL;
-- pendingFor asks for the newest pending verification of a number: with created_at in the partial index, it
-- is one seek whatever the number's history, and the planner prefers it to verifications_latest (which walked
-- every past verification of the number when the newest was not pending).
DROP INDEX IF EXISTS verifications_pending;
CREATE INDEX verifications_pending ON verifications (service_sid, recipient, created_at) WHERE status = 'pending';
