-- Intake: raw inbound documents (kept for replay), their leads, duplicate matching, CSV re-import.

-- The latest inquiry on a lead (its own, or the latest merged into it): the duplicate window counts
-- from here.
ALTER TABLE leads ADD COLUMN last_inquiry_at INTEGER;
UPDATE leads SET last_inquiry_at = received_at;

-- Duplicate matching compares e-mail addresses without regard to case.
CREATE INDEX lead_contacts_lower_value ON lead_contacts (kind, lower(value));

-- Every raw inbound document (ADF, e-mail, CSV, JSON), stored before it is parsed.
CREATE TABLE inbound_documents (
    id           INTEGER PRIMARY KEY,
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
CREATE INDEX inbound_documents_status ON inbound_documents (status, id);

CREATE TABLE lead_documents (
    lead_id     INTEGER NOT NULL REFERENCES leads (id),
    document_id INTEGER NOT NULL REFERENCES inbound_documents (id),
    PRIMARY KEY (lead_id, document_id)
);
CREATE INDEX lead_documents_document ON lead_documents (document_id);

-- CSV rows already imported, by a key of their normalized content: importing a file twice creates
-- nothing new.
CREATE TABLE import_rows (
    row_key     TEXT PRIMARY KEY,
    lead_id     INTEGER,
    imported_at INTEGER NOT NULL
);
