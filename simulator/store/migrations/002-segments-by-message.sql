-- A message's parts are read by its id (GET /api/messages/{id}, every console event, pruning): without this
-- index each of those reads scanned every part ever stored.
CREATE INDEX segments_assembled ON segments (assembled_into) WHERE assembled_into IS NOT NULL;
