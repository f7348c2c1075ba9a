-- SMPP 3.4 scheduling, cancel_sm, replace_sm, submit_multi and replace_if_present_flag.
-- service_type: cancel_sm and replace_if_present_flag match on it. scheduled_at: schedule_delivery_time, the
-- part is held until then. valid_until: validity_period, kept so that replace_sm can move the schedule under it.
-- multi_id: the id a submit_multi answered with, shared by its destinations' parts.
ALTER TABLE segments ADD COLUMN service_type TEXT NOT NULL DEFAULT '';
ALTER TABLE segments ADD COLUMN scheduled_at INTEGER;
ALTER TABLE segments ADD COLUMN valid_until INTEGER;
ALTER TABLE segments ADD COLUMN multi_id TEXT;
CREATE INDEX segments_multi ON segments (multi_id) WHERE multi_id IS NOT NULL;
-- When replace_sm last changed the message's text.
ALTER TABLE messages ADD COLUMN replaced_at INTEGER;
