-- Today's reads at a dealership's scale (issue 14: 100,000 leads, 1,000,000 events).
-- What was sent to a lead's customer (keepwarm-store's `sqlite::workspace::sent_to_customer`, the
-- condition as written there: SQLite uses a partial index only for a query that repeats it): the
-- untouched leads and today's speed to lead then search each lead once instead of walking its
-- whole timeline (notes, scheduled and skipped touches).
CREATE INDEX events_sent_to_customer ON events (lead_id, at)
    WHERE kind IN ('staff_message_sent', 'call_logged')
       OR (kind IN ('touch_sent') AND json_extract(data, '$.mode') IS NULL);
-- The owners' loads: active leads per owner, counted from this index instead of every lead's row.
-- Partial on the status, so queries that range over `created_at` keep `leads_created` (without
-- statistics SQLite prefers an equality on `status` to a range, and would walk every active lead).
CREATE INDEX leads_active_owner ON leads (owner_id) WHERE status = 'active';
