-- The sandbox outbox also records messages that are about no lead (a weekly report to a manager)
-- and the files attached to a message (an appointment's calendar invite). SQLite cannot relax a NOT
-- NULL constraint in place, so the table is rebuilt with its rows.
CREATE TABLE outbox_new (
    id             INTEGER PRIMARY KEY,
    touch_id       INTEGER UNIQUE,
    lead_id        INTEGER,
    at             INTEGER NOT NULL,
    channel        TEXT    NOT NULL,
    recipient_kind TEXT    NOT NULL,  -- customer | staff
    recipient      TEXT    NOT NULL,
    subject        TEXT,
    body           TEXT    NOT NULL,
    attachments    TEXT    NOT NULL DEFAULT '[]'  -- JSON: [{filename, content_type, content}]
);
INSERT INTO outbox_new (id, touch_id, lead_id, at, channel, recipient_kind, recipient, subject, body)
    SELECT id, touch_id, lead_id, at, channel, recipient_kind, recipient, subject, body FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_lead ON outbox (lead_id);
