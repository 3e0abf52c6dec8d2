-- Escalations follow the lead: a lead that is sold or lost closes its unacknowledged escalations
-- (status `closed`, no deadline), keeping when and why.
ALTER TABLE escalations ADD COLUMN closed_at INTEGER;
ALTER TABLE escalations ADD COLUMN closed_reason TEXT;
-- Open escalations of one lead are looked up on every reassignment, outcome and inquiry match.
CREATE INDEX escalations_lead ON escalations (lead_id, status);
