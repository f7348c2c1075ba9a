-- segments.assembled_into no longer REFERENCES messages: the store itself keeps the pair whole (a part is written
-- with or after its message, and deleted before it), and the foreign key made SQLite look the message up on every
-- part written and deleted and run a SET NULL action on every message deleted: retention spent more on that than on
-- the deletes themselves. The table is rebuilt with the same columns and indexes (SQLite cannot drop a constraint).
CREATE TABLE segments_new (
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
  receipt              TEXT NOT NULL CHECK (receipt IN ('none', 'pending', 'sent', 'refused')),
  assembled_into       TEXT,
  payload              BLOB
);
INSERT INTO segments_new (message_id, system_id, source, destination, body, data_coding, concat_key, concat_total,
  concat_seq, registered_delivery, outcome, state, error_code, submitted_at, due_at, done_at, receipt, assembled_into, payload)
SELECT message_id, system_id, source, destination, body, data_coding, concat_key, concat_total,
  concat_seq, registered_delivery, outcome, state, error_code, submitted_at, due_at, done_at, receipt, assembled_into, payload
FROM segments ORDER BY rowid;
DROP TABLE segments;
ALTER TABLE segments_new RENAME TO segments;
CREATE INDEX segments_partial ON segments (concat_key) WHERE assembled_into IS NULL AND concat_key IS NOT NULL;
CREATE INDEX segments_enroute ON segments (due_at) WHERE done_at IS NULL;
CREATE INDEX segments_receipts ON segments (system_id) WHERE receipt = 'pending';
CREATE INDEX segments_assembled ON segments (assembled_into) WHERE assembled_into IS NOT NULL;
