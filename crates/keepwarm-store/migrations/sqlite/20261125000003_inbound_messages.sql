-- Inbound messages by their provider id (Twilio's MessageSid): a webhook delivered twice is
-- recorded once.
CREATE TABLE inbound_messages (
    provider_id TEXT PRIMARY KEY,
    lead_id     INTEGER NOT NULL REFERENCES leads (id),
    received_at INTEGER NOT NULL
);
