-- A part's user data as it arrived (UDH removed): a concatenated message is decoded from its parts' bytes
-- joined, so a character split between two parts (a UCS-2 surrogate pair, as Kannel splits) survives.
ALTER TABLE segments ADD COLUMN payload BLOB;
