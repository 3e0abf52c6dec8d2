-- People's data: erasure on request, the suppression list that outlives it, raw-document retention,
-- and inquiries held by the per-source hourly cap.

-- Contacts that must never be contacted or taken in again (their person was erased). `hash` is
-- HMAC-SHA256 of the normalized contact (E.164 number or lower-cased address) under the
-- installation's own `suppression` service key, hex: the list names no one by itself.
CREATE TABLE suppressed_contacts (
    hash            TEXT    PRIMARY KEY,
    kind            TEXT    NOT NULL,  -- phone | email
    erasure_id      INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    refused         INTEGER NOT NULL DEFAULT 0,  -- inquiries and sends refused since
    last_refused_at INTEGER
);

-- Every erasure: who asked for it, when, and what it removed (counts only; never the person's data).
CREATE TABLE erasures (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    by          TEXT    NOT NULL,
    kind        TEXT    NOT NULL,  -- phone | email: what the request named
    counts      TEXT    NOT NULL   -- JSON: {"leads": 2, "events": 31, ...}
);

-- Raw documents whose body was removed (retention, or an erasure), and when.
ALTER TABLE inbound_documents ADD COLUMN purged_at INTEGER;
CREATE INDEX inbound_documents_received ON inbound_documents (received_at) WHERE purged_at IS NULL;

-- New leads taken in per source (provider) or e-mail sender per clock hour, for the hourly cap.
CREATE TABLE intake_quota (
    source_key TEXT    NOT NULL,  -- provider:cars.com | sender:leads@cars.com
    hour       INTEGER NOT NULL,  -- hours since the Unix epoch
    admitted   INTEGER NOT NULL DEFAULT 0,
    held       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source_key, hour)
);

-- Inquiries over the hourly cap: kept, not enrolled, not contacted, until a person releases them.
CREATE TABLE held_inquiries (
    id          INTEGER PRIMARY KEY,
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
CREATE INDEX held_inquiries_open ON held_inquiries (released_at, id);
