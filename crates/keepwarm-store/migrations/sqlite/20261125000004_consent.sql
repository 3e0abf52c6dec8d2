-- The consent ledger: every revocation (opt-out) and restoration, per contact point and channel.
-- A revocation is in force while restored_at is NULL. Rows are never deleted.
CREATE TABLE consent_ledger (
    id          INTEGER PRIMARY KEY,
    contact     TEXT    NOT NULL,  -- E.164 number or lower-cased e-mail address
    channel     TEXT    NOT NULL,  -- all | sms | call | email
    revoked_at  INTEGER NOT NULL,
    words       TEXT    NOT NULL,  -- what the customer said
    via         TEXT    NOT NULL,  -- sms reply, api, carrier error, ...
    restored_at INTEGER,
    restored_by TEXT
);
CREATE INDEX consent_ledger_contact ON consent_ledger (contact, restored_at);
