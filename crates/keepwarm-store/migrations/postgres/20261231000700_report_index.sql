-- The Reports page's counts, aggregated in SQL (issue 14: 100,000 leads, 1,000,000 events): each
-- lead's first segment, stage changes, first touch and first acknowledgement, read through this
-- index instead of every event of the lead. Partial, so the other kinds' writes pay nothing
-- (the same index as SQLite's, see its migration).
CREATE INDEX events_report ON events (lead_id, kind, at)
    WHERE kind IN ('escalation_acknowledged', 'segmented', 'stage_changed', 'touch_sent');
