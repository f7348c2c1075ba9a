-- Messages as a handset sees them: one row per whole (reassembled) text, either
-- direction. 'mt' = to the handset (from an ESME or the REST API), 'mo' = from it.
CREATE TABLE messages (
  id            TEXT PRIMARY KEY,
  direction     TEXT NOT NULL CHECK (direction IN ('mt', 'mo')),
  source        TEXT NOT NULL,
  destination   TEXT NOT NULL,
  body          TEXT NOT NULL,
  data_coding   INTEGER NOT NULL,
  parts         INTEGER NOT NULL,
  system_id     TEXT,
  status        TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  pushed_at     INTEGER
);
CREATE INDEX messages_destination ON messages (destination, created_at);
CREATE INDEX messages_source ON messages (source, created_at);
CREATE INDEX messages_unpushed ON messages (destination) WHERE pushed_at IS NULL;

-- One row per accepted submit_sm / data_sm: the id answered in submit_sm_resp,
-- the part's text, and the state its delivery receipt reports.
CREATE TABLE segments (
  message_id           TEXT PRIMARY KEY,
  system_id            TEXT NOT NULL,
  source               TEXT NOT NULL,
  destination          TEXT NOT NULL,
  body                 TEXT NOT NULL,
  data_coding          INTEGER NOT NULL,
  concat_key           TEXT,
  concat_total         INTEGER,
  concat_seq           INTEGER,
  registered_delivery  INTEGER NOT NULL,
  outcome              TEXT NOT NULL,
  state                INTEGER NOT NULL,
  error_code           INTEGER NOT NULL DEFAULT 0,
  submitted_at         INTEGER NOT NULL,
  due_at               INTEGER NOT NULL,
  done_at              INTEGER,
  receipt              TEXT NOT NULL CHECK (receipt IN ('none', 'pending', 'sent')),
  assembled_into       TEXT REFERENCES messages (id) ON DELETE SET NULL
);
CREATE INDEX segments_partial ON segments (concat_key) WHERE assembled_into IS NULL AND concat_key IS NOT NULL;
CREATE INDEX segments_enroute ON segments (due_at) WHERE done_at IS NULL;
CREATE INDEX segments_receipts ON segments (system_id) WHERE receipt = 'pending';
