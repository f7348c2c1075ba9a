-- Early receipts are pruned by age: an index keeps the sweep cheap however many wait.
CREATE INDEX early_receipts_age ON early_receipts (received_at);
