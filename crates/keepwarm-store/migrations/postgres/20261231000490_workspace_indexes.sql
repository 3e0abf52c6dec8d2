-- The workspace's reads at a dealership's scale (issue 14: 100,000 leads, 1,000,000 events).
-- Timeline events of some kinds in a period, across every lead (Compliance, the audit): without it
-- each read walked the whole timeline. (PostgreSQL's planner has statistics, so the kind may lead;
-- SQLite's index leads with the instant, see its migration.)
CREATE INDEX events_kind_at ON events (kind, at);
-- The leads received in a period (Reports, the audit).
CREATE INDEX leads_received ON leads (received_at);
