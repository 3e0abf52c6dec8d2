-- Escalations: a hot reply handed to a named person on a clock. Level 0 is the owner (or an on-shift
-- backup), 1 the team's manager after the first deadline, 2 the next in the chain after the second.
CREATE TABLE escalations (
    id               INTEGER PRIMARY KEY,
    lead_id          INTEGER NOT NULL REFERENCES leads (id),
    intents          TEXT    NOT NULL,  -- JSON array of labels
    context          TEXT    NOT NULL,  -- JSON: the reply, recent messages, vehicle, trade, payment, segment, owner
    created_at       INTEGER NOT NULL,
    sla_due_at       INTEGER NOT NULL,
    assignee_id      TEXT    NOT NULL,
    level            INTEGER NOT NULL DEFAULT 0,
    status           TEXT    NOT NULL,  -- open | breached | acknowledged
    next_deadline_at INTEGER,           -- when the clock next escalates; NULL once acknowledged or at the end of the chain
    breached_at      INTEGER,
    acknowledged_at  INTEGER,
    acknowledged_by  TEXT,
    short_code       TEXT    NOT NULL,
    notified         TEXT    NOT NULL DEFAULT '[]'  -- JSON array of staff ids, in order
);
CREATE INDEX escalations_deadline ON escalations (next_deadline_at);
CREATE INDEX escalations_status ON escalations (status, id);
CREATE INDEX escalations_code ON escalations (short_code, status);
