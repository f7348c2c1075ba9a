-- Numbers that answered STOP (or a synonym) in an MO message.
CREATE TABLE opt_outs (
  number      TEXT PRIMARY KEY,
  keyword     TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
