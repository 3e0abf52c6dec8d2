-- Ids of leads, enrollments, touches, tasks and inbound documents come from the database's own
-- counter and are never used twice, even after the row with the highest id is deleted: each table is
-- rebuilt with AUTOINCREMENT (SQLite cannot add it in place), rows, ids and indexes unchanged.
--
-- SQLite's procedure for rebuilding a table that others reference: create, copy, drop, rename, so
-- that the references in other tables, which name the table, point at the new one. It needs foreign
-- keys off, which a transaction cannot do: the store turns them off around the migrations and checks
-- every reference once they are in (`SqliteStore::connect`).

CREATE TABLE leads_new (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
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
    opted_out        INTEGER NOT NULL DEFAULT 0,
    last_inquiry_at  INTEGER
);
INSERT INTO leads_new (id, dealership, received_at, created_at, source_kind, provider, provider_lead_id,
        display_name, payload, segment, segment_rule, owner_id, stage, status, stop_reason, opted_out,
        last_inquiry_at)
    SELECT id, dealership, received_at, created_at, source_kind, provider, provider_lead_id,
        display_name, payload, segment, segment_rule, owner_id, stage, status, stop_reason, opted_out,
        last_inquiry_at
    FROM leads;
DROP TABLE leads;
ALTER TABLE leads_new RENAME TO leads;
CREATE INDEX leads_owner ON leads (owner_id);

CREATE TABLE enrollments_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO enrollments_new (id, lead_id, cadence_name, cadence_version, anchor_at, status, started_at,
        ended_at, end_reason)
    SELECT id, lead_id, cadence_name, cadence_version, anchor_at, status, started_at, ended_at, end_reason
    FROM enrollments;
DROP TABLE enrollments;
ALTER TABLE enrollments_new RENAME TO enrollments;
CREATE INDEX enrollments_lead ON enrollments (lead_id);

-- One row per planned step. State: scheduled -> sending -> sent | failed; or skipped, held
-- (paused), cancelled (stopped).
CREATE TABLE touches_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    enrollment_id   INTEGER NOT NULL REFERENCES enrollments (id),
    lead_id         INTEGER NOT NULL REFERENCES leads (id),
    step_index      INTEGER NOT NULL,
    channel         TEXT    NOT NULL,
    block           TEXT    NOT NULL,
    target_at       INTEGER NOT NULL,
    due_at          INTEGER NOT NULL,
    state           TEXT    NOT NULL,
    claimed_at      INTEGER,
    finished_at     INTEGER,
    variant         INTEGER,
    recipient       TEXT,
    body            TEXT,
    detail          TEXT,
    provider_id     TEXT,
    delivery_status TEXT,
    delivery_error  TEXT,
    delivery_at     INTEGER,
    UNIQUE (enrollment_id, step_index)
);
INSERT INTO touches_new (id, enrollment_id, lead_id, step_index, channel, block, target_at, due_at, state,
        claimed_at, finished_at, variant, recipient, body, detail, provider_id, delivery_status,
        delivery_error, delivery_at)
    SELECT id, enrollment_id, lead_id, step_index, channel, block, target_at, due_at, state,
        claimed_at, finished_at, variant, recipient, body, detail, provider_id, delivery_status,
        delivery_error, delivery_at
    FROM touches;
DROP TABLE touches;
ALTER TABLE touches_new RENAME TO touches;
CREATE INDEX touches_due ON touches (state, due_at);
CREATE INDEX touches_lead ON touches (lead_id, block);
CREATE INDEX touches_provider ON touches (provider_id) WHERE provider_id IS NOT NULL;

CREATE TABLE tasks_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    lead_id      INTEGER NOT NULL REFERENCES leads (id),
    owner_id     TEXT    NOT NULL,
    kind         TEXT    NOT NULL,  -- call | fix_contact | reply
    touch_id     INTEGER UNIQUE,
    due_at       INTEGER NOT NULL,
    status       TEXT    NOT NULL,  -- open | done
    body         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    completed_at INTEGER,
    outcome      TEXT,
    note         TEXT,
    completed_by TEXT
);
INSERT INTO tasks_new (id, lead_id, owner_id, kind, touch_id, due_at, status, body, created_at,
        completed_at, outcome, note, completed_by)
    SELECT id, lead_id, owner_id, kind, touch_id, due_at, status, body, created_at,
        completed_at, outcome, note, completed_by
    FROM tasks;
DROP TABLE tasks;
ALTER TABLE tasks_new RENAME TO tasks;
CREATE INDEX tasks_owner ON tasks (owner_id, status);

-- Every raw inbound document (ADF, e-mail, CSV, JSON), stored before it is parsed.
CREATE TABLE inbound_documents_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at  INTEGER NOT NULL,
    channel      TEXT    NOT NULL,  -- api_adf | email | cli_xml | cli_eml | cli_csv | cli_json
    content_type TEXT,
    sha256       TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    body         BLOB    NOT NULL,
    status       TEXT    NOT NULL,  -- received | parsed | partial | failed | unrecognized
    detail       TEXT,
    leads        INTEGER NOT NULL DEFAULT 0
);
INSERT INTO inbound_documents_new (id, received_at, channel, content_type, sha256, size, body, status,
        detail, leads)
    SELECT id, received_at, channel, content_type, sha256, size, body, status, detail, leads
    FROM inbound_documents;
DROP TABLE inbound_documents;
ALTER TABLE inbound_documents_new RENAME TO inbound_documents;
CREATE INDEX inbound_documents_status ON inbound_documents (status, id);

-- Each table's counter starts at its highest id (zero when empty), so that a batch can reserve a
-- block of ids from it (see the store's `ids.rs`).
INSERT INTO sqlite_sequence (name, seq)
    SELECT t.name, 0 FROM (SELECT 'leads' AS name UNION ALL SELECT 'enrollments' UNION ALL SELECT 'touches'
                           UNION ALL SELECT 'tasks' UNION ALL SELECT 'inbound_documents') AS t
    WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence s WHERE s.name = t.name);
