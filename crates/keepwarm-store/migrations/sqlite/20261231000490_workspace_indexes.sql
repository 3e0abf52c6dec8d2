-- The workspace's reads at a dealership's scale (issue 14: 100,000 leads, 1,000,000 events).
-- Timeline events of some kinds in a period, across every lead (Compliance, the audit): without it
-- each read walked the whole timeline. The instant leads, not the kind: SQLite keeps no statistics
-- here, and an index led by `kind` would look better to its planner than `events_lead` for a
-- lead's own events of a kind ("lead_id = ? AND kind IN (...) AND at <= ?"), walking every event
-- of that kind instead of the lead's ten. A range on `at` never beats an equality on `lead_id`.
CREATE INDEX events_at_kind ON events (at, kind);
-- The leads received in a period (Reports, the audit).
CREATE INDEX leads_received ON leads (received_at);
