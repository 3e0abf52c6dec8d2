-- The Reports page's counts, aggregated in SQL (issue 14: 100,000 leads, 1,000,000 events): each
-- lead's first segment, stage changes, first touch and first acknowledgement, read through this
-- index instead of every event of the lead (staff notes and the rest make most of a timeline).
-- Partial, so the other kinds' writes pay nothing; SQLite uses it only for a query that repeats
-- this `WHERE` term as written (keepwarm-store's `tally::REPORT_KINDS`, same order). It leads with
-- the lead, never with `kind` (see 20261231000490_workspace_indexes.sql).
CREATE INDEX events_report ON events (lead_id, kind, at)
    WHERE kind IN ('escalation_acknowledged', 'segmented', 'stage_changed', 'touch_sent');
