-- The rest of the tables get ids from the database's own counter, never used twice: events,
-- escalations (whose id is also the short code staff reply with), appointments, the consent ledger,
-- follow-up timers, erasures, held inquiries and the sandbox outbox. Before this, each was a plain
-- `INTEGER PRIMARY KEY`, whose next id is the highest id + 1: deleting the newest row (an erasure, a
-- purge) handed its id to the next row, so a cursor, a link or a short code kept from before could
-- name a different row. (Leads, enrollments, touches, tasks and inbound documents got theirs in
-- 20261204000041_database_ids.sql; the outbound queue and staff tokens had it from the start.)
--
-- Each table is rebuilt the way SQLite requires (create, copy, drop, rename), rows, ids and indexes
-- unchanged; no other table references these, and the store runs migrations with foreign keys off
-- and checks every reference after them. Copying in id order appends to the new table's b-tree,
-- which keeps this fast on a large database (see the report of the change that added it).

CREATE TABLE events_new (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    lead_id INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    kind    TEXT    NOT NULL,
    data    TEXT    NOT NULL
);
INSERT INTO events_new (id, lead_id, at, kind, data)
    SELECT id, lead_id, at, kind, data FROM events ORDER BY id;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_lead ON events (lead_id, id);

-- Escalations: a hot reply handed to a named person on a clock. Level 0 is the owner (or an on-shift
-- backup), 1 the team's manager after the first deadline, 2 the next in the chain after the second.
CREATE TABLE escalations_new (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    lead_id          INTEGER NOT NULL REFERENCES leads (id),
    intents          TEXT    NOT NULL,  -- JSON array of labels
    context          TEXT    NOT NULL,  -- JSON: the reply, recent messages, vehicle, trade, payment, segment, owner
    created_at       INTEGER NOT NULL,
    sla_due_at       INTEGER NOT NULL,
    assignee_id      TEXT    NOT NULL,
    level            INTEGER NOT NULL DEFAULT 0,
    status           TEXT    NOT NULL,  -- open | breached | acknowledged | closed
    next_deadline_at INTEGER,           -- when the clock next escalates; NULL once acknowledged or at the end of the chain
    breached_at      INTEGER,
    acknowledged_at  INTEGER,
    acknowledged_by  TEXT,
    short_code       TEXT    NOT NULL,
    notified         TEXT    NOT NULL DEFAULT '[]',  -- JSON array of staff ids, in order
    closed_at        INTEGER,
    closed_reason    TEXT
);
INSERT INTO escalations_new (id, lead_id, intents, context, created_at, sla_due_at, assignee_id, level,
        status, next_deadline_at, breached_at, acknowledged_at, acknowledged_by, short_code, notified,
        closed_at, closed_reason)
    SELECT id, lead_id, intents, context, created_at, sla_due_at, assignee_id, level,
        status, next_deadline_at, breached_at, acknowledged_at, acknowledged_by, short_code, notified,
        closed_at, closed_reason
    FROM escalations ORDER BY id;
DROP TABLE escalations;
ALTER TABLE escalations_new RENAME TO escalations;
CREATE INDEX escalations_deadline ON escalations (next_deadline_at);
CREATE INDEX escalations_status ON escalations (status, id);
CREATE INDEX escalations_code ON escalations (short_code, status);
CREATE INDEX escalations_lead ON escalations (lead_id, status);

-- Appointments: one row per booked visit; a lead has at most one open appointment.
CREATE TABLE appointments_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    lead_id      INTEGER NOT NULL REFERENCES leads (id),
    kind         TEXT    NOT NULL,  -- sales | service
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL,
    status       TEXT    NOT NULL,  -- scheduled | confirmed | reschedule_requested | showed | no_show | cancelled
    sequence     INTEGER NOT NULL DEFAULT 0,
    set_by       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
INSERT INTO appointments_new (id, lead_id, kind, starts_at, ends_at, status, sequence, set_by, created_at,
        updated_at)
    SELECT id, lead_id, kind, starts_at, ends_at, status, sequence, set_by, created_at, updated_at
    FROM appointments ORDER BY id;
DROP TABLE appointments;
ALTER TABLE appointments_new RENAME TO appointments;
CREATE INDEX appointments_lead ON appointments (lead_id, id);
CREATE INDEX appointments_starts ON appointments (starts_at);
CREATE UNIQUE INDEX appointments_open ON appointments (lead_id)
    WHERE status IN ('scheduled', 'confirmed', 'reschedule_requested');

-- The consent ledger: every revocation and restoration, per contact point and channel.
CREATE TABLE consent_ledger_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    contact     TEXT    NOT NULL,  -- E.164 number or lower-cased e-mail address
    channel     TEXT    NOT NULL,  -- all | sms | call | email
    revoked_at  INTEGER NOT NULL,
    words       TEXT    NOT NULL,  -- what the customer said
    via         TEXT    NOT NULL,  -- sms reply, api, carrier error, ...
    restored_at INTEGER,
    restored_by TEXT
);
INSERT INTO consent_ledger_new (id, contact, channel, revoked_at, words, via, restored_at, restored_by)
    SELECT id, contact, channel, revoked_at, words, via, restored_at, restored_by
    FROM consent_ledger ORDER BY id;
DROP TABLE consent_ledger;
ALTER TABLE consent_ledger_new RENAME TO consent_ledger;
CREATE INDEX consent_ledger_contact ON consent_ledger (contact, restored_at);

-- Follow-up timers: things to check later about a lead. Each fires once.
CREATE TABLE follow_up_timers_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    lead_id     INTEGER NOT NULL REFERENCES leads (id),
    kind        TEXT    NOT NULL,  -- resume_after_silence | nurture | going_cold | no_show
    due_at      INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    fired_at    INTEGER,
    claimed_by  TEXT,
    lease_until INTEGER
);
INSERT INTO follow_up_timers_new (id, lead_id, kind, due_at, created_at, fired_at, claimed_by, lease_until)
    SELECT id, lead_id, kind, due_at, created_at, fired_at, claimed_by, lease_until
    FROM follow_up_timers ORDER BY id;
DROP TABLE follow_up_timers;
ALTER TABLE follow_up_timers_new RENAME TO follow_up_timers;
CREATE INDEX follow_up_timers_due ON follow_up_timers (fired_at, due_at);

-- Every erasure: who asked for it, when, and what it removed (counts only).
CREATE TABLE erasures_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    by          TEXT    NOT NULL,
    kind        TEXT    NOT NULL,  -- phone | email: what the request named
    counts      TEXT    NOT NULL   -- JSON: {"leads": 2, "events": 31, ...}
);
INSERT INTO erasures_new (id, at, by, kind, counts)
    SELECT id, at, by, kind, counts FROM erasures ORDER BY id;
DROP TABLE erasures;
ALTER TABLE erasures_new RENAME TO erasures;

-- Inquiries over the hourly cap: kept, not enrolled, not contacted, until a person releases them.
CREATE TABLE held_inquiries_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    held_at     INTEGER NOT NULL,
    source_key  TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    document_id INTEGER,
    resend      INTEGER NOT NULL DEFAULT 0,
    lead        TEXT    NOT NULL,  -- the validated lead document (JSON)
    contacts    TEXT    NOT NULL,  -- JSON array of its normalized contacts, for export and erasure
    released_at INTEGER,
    released_by TEXT,
    lead_id     INTEGER            -- the lead it became or merged into once released
);
INSERT INTO held_inquiries_new (id, held_at, source_key, reason, document_id, resend, lead, contacts,
        released_at, released_by, lead_id)
    SELECT id, held_at, source_key, reason, document_id, resend, lead, contacts,
        released_at, released_by, lead_id
    FROM held_inquiries ORDER BY id;
DROP TABLE held_inquiries;
ALTER TABLE held_inquiries_new RENAME TO held_inquiries;
CREATE INDEX held_inquiries_open ON held_inquiries (released_at, id);

-- What the sandbox channel "sent" (keepwarm-channels' outbox store). A touch or a queued message is
-- recorded once, whatever happens.
CREATE TABLE outbox_new (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    touch_id       INTEGER UNIQUE,
    lead_id        INTEGER,
    at             INTEGER NOT NULL,
    channel        TEXT    NOT NULL,
    recipient_kind TEXT    NOT NULL,  -- customer | staff
    recipient      TEXT    NOT NULL,
    subject        TEXT,
    body           TEXT    NOT NULL,
    attachments    TEXT    NOT NULL DEFAULT '[]',  -- JSON: [{filename, content_type, content}]
    outbound_id    INTEGER
);
INSERT INTO outbox_new (id, touch_id, lead_id, at, channel, recipient_kind, recipient, subject, body,
        attachments, outbound_id)
    SELECT id, touch_id, lead_id, at, channel, recipient_kind, recipient, subject, body,
        attachments, outbound_id
    FROM outbox ORDER BY id;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_lead ON outbox (lead_id);
CREATE UNIQUE INDEX outbox_outbound ON outbox (outbound_id);

-- Each table's counter starts at its highest id (zero when empty), as the first batch of tables'
-- counters do, so that a batch may reserve a block of ids from any of them (the store's `ids.rs`).
INSERT INTO sqlite_sequence (name, seq)
    SELECT t.name, 0 FROM (SELECT 'events' AS name UNION ALL SELECT 'escalations'
                           UNION ALL SELECT 'appointments' UNION ALL SELECT 'consent_ledger'
                           UNION ALL SELECT 'follow_up_timers' UNION ALL SELECT 'erasures'
                           UNION ALL SELECT 'held_inquiries' UNION ALL SELECT 'outbox') AS t
    WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence s WHERE s.name = t.name);
