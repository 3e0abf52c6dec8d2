-- The durable outbound queue: every message that is not a cadence touch (staff alerts, escalation
-- hand-offs, opt-out confirmations, manager alerts, weekly reports) is queued here in the same
-- transaction as the decision that wants it sent, then claimed with a lease, sent, and recorded, like
-- touches. A message whose lease expired while `sending` is reconciled with the channel before it is
-- sent again, so it is neither lost nor sent twice.
CREATE TABLE outbound_messages (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    lead_id        INTEGER,
    purpose        TEXT    NOT NULL,   -- staff_alert | opt_out_confirmation | manager_alert | weekly_report | ...
    channel        TEXT    NOT NULL,   -- sms | email
    recipient_kind TEXT    NOT NULL,   -- customer | staff
    recipient      TEXT    NOT NULL,   -- E.164 number or e-mail address
    subject        TEXT,
    body           TEXT    NOT NULL,
    attachments    TEXT    NOT NULL DEFAULT '[]',
    dealership     TEXT    NOT NULL,
    dedupe_key     TEXT    UNIQUE,     -- at most one message per key, ever
    on_sent        TEXT,               -- JSON {kind, data}: the timeline event recorded once sent
    on_failed      TEXT,               -- JSON {kind, data}: the timeline event recorded if refused
    state          TEXT    NOT NULL DEFAULT 'queued',  -- queued | sending | sent | failed
    due_at         INTEGER NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    lease_owner    TEXT,
    lease_until    INTEGER,
    claimed_at     INTEGER,
    created_at     INTEGER NOT NULL,
    finished_at    INTEGER,
    provider_id    TEXT,
    detail         TEXT
);
CREATE INDEX outbound_queued ON outbound_messages (due_at) WHERE state = 'queued';
CREATE INDEX outbound_sending ON outbound_messages (lease_until) WHERE state = 'sending';
CREATE INDEX outbound_lead ON outbound_messages (lead_id);

-- The sandbox records queued messages by their queue id, once each.
ALTER TABLE outbox ADD COLUMN outbound_id INTEGER;
CREATE UNIQUE INDEX outbox_outbound ON outbox (outbound_id);
