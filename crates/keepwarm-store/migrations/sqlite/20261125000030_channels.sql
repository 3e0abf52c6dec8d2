-- Real channels: what the provider said about each touch, call-task outcomes, and keys the service
-- makes for itself (the unsubscribe-link signing key).

-- The provider's id for the message or call (Twilio's MessageSid / CallSid), and its latest
-- delivery status (queued, sent, delivered, undelivered, failed; for calls ringing, in-progress,
-- completed, busy, no-answer...). Status only moves forward; see keepwarm_twilio's ordering.
ALTER TABLE touches ADD COLUMN provider_id TEXT;
ALTER TABLE touches ADD COLUMN delivery_status TEXT;
ALTER TABLE touches ADD COLUMN delivery_error TEXT;
ALTER TABLE touches ADD COLUMN delivery_at INTEGER;
CREATE INDEX touches_provider ON touches (provider_id) WHERE provider_id IS NOT NULL;

-- A completed task's outcome (for calls: connected, voicemail_left, no_answer, wrong_number).
ALTER TABLE tasks ADD COLUMN outcome TEXT;
ALTER TABLE tasks ADD COLUMN note TEXT;
ALTER TABLE tasks ADD COLUMN completed_by TEXT;

CREATE TABLE service_keys (
    name       TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
