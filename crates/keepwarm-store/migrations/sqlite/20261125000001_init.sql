-- keepwarm schema, SQLite. Instants are INTEGER milliseconds since the Unix epoch (UTC).
-- Never edit a migration after it lands; add a new one.

CREATE TABLE leads (
    id               INTEGER PRIMARY KEY,
    dealership       TEXT    NOT NULL,
    received_at      INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    source_kind      TEXT    NOT NULL,
    provider         TEXT,
    provider_lead_id TEXT,
    display_name     TEXT,
    payload          TEXT    NOT NULL,  -- the normalized lead document (JSON)
    segment          TEXT    NOT NULL,
    segment_rule     TEXT    NOT NULL,
    owner_id         TEXT    NOT NULL,
    stage            TEXT    NOT NULL DEFAULT 'new',
    status           TEXT    NOT NULL,
    stop_reason      TEXT,
    opted_out        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX leads_owner ON leads (owner_id);

CREATE TABLE lead_contacts (
    lead_id  INTEGER NOT NULL REFERENCES leads (id),
    position INTEGER NOT NULL,
    kind     TEXT    NOT NULL,           -- phone | email
    value    TEXT    NOT NULL,           -- E.164 / address when usable, raw text when not
    usable   INTEGER NOT NULL,
    reason   TEXT,
    PRIMARY KEY (lead_id, kind, position)
);
CREATE INDEX lead_contacts_value ON lead_contacts (kind, value);

CREATE TABLE cadence_versions (
    name       TEXT    NOT NULL,
    version    TEXT    NOT NULL,
    label      TEXT,
    snapshot   TEXT    NOT NULL,  -- steps and block texts (JSON)
    created_at INTEGER NOT NULL,
    PRIMARY KEY (name, version)
);

CREATE TABLE enrollments (
    id              INTEGER PRIMARY KEY,
    lead_id         INTEGER NOT NULL REFERENCES leads (id),
    cadence_name    TEXT    NOT NULL,
    cadence_version TEXT    NOT NULL,
    anchor_at       INTEGER NOT NULL,
    status          TEXT    NOT NULL,  -- active | paused | stopped | completed
    started_at      INTEGER NOT NULL,
    ended_at        INTEGER,
    end_reason      TEXT,
    FOREIGN KEY (cadence_name, cadence_version) REFERENCES cadence_versions (name, version)
);
CREATE INDEX enrollments_lead ON enrollments (lead_id);

-- One row per planned step. State: scheduled -> sending -> sent | failed; or skipped, held
-- (paused), cancelled (stopped).
CREATE TABLE touches (
    id            INTEGER PRIMARY KEY,
    enrollment_id INTEGER NOT NULL REFERENCES enrollments (id),
    lead_id       INTEGER NOT NULL REFERENCES leads (id),
    step_index    INTEGER NOT NULL,
    channel       TEXT    NOT NULL,
    block         TEXT    NOT NULL,
    target_at     INTEGER NOT NULL,
    due_at        INTEGER NOT NULL,
    state         TEXT    NOT NULL,
    claimed_at    INTEGER,
    finished_at   INTEGER,
    variant       INTEGER,
    recipient     TEXT,
    body          TEXT,
    detail        TEXT,
    UNIQUE (enrollment_id, step_index)
);
CREATE INDEX touches_due ON touches (state, due_at);
CREATE INDEX touches_lead ON touches (lead_id, block);

-- What the sandbox channel "sent". touch_id is unique: a touch is recorded once, whatever happens.
CREATE TABLE outbox (
    id             INTEGER PRIMARY KEY,
    touch_id       INTEGER UNIQUE,
    lead_id        INTEGER NOT NULL,
    at             INTEGER NOT NULL,
    channel        TEXT    NOT NULL,
    recipient_kind TEXT    NOT NULL,  -- customer | staff
    recipient      TEXT    NOT NULL,
    subject        TEXT,
    body           TEXT    NOT NULL
);
CREATE INDEX outbox_lead ON outbox (lead_id);

CREATE TABLE events (
    id      INTEGER PRIMARY KEY,
    lead_id INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    kind    TEXT    NOT NULL,
    data    TEXT    NOT NULL
);
CREATE INDEX events_lead ON events (lead_id, id);

CREATE TABLE tasks (
    id           INTEGER PRIMARY KEY,
    lead_id      INTEGER NOT NULL REFERENCES leads (id),
    owner_id     TEXT    NOT NULL,
    kind         TEXT    NOT NULL,  -- call | fix_contact | reply
    touch_id     INTEGER UNIQUE,
    due_at       INTEGER NOT NULL,
    status       TEXT    NOT NULL,  -- open | done
    body         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    completed_at INTEGER
);
CREATE INDEX tasks_owner ON tasks (owner_id, status);

CREATE TABLE routing_cursors (
    team       TEXT PRIMARY KEY,
    last_owner TEXT NOT NULL
);
