-- People in the conversation (issue 13).
-- A person's e-mail is sent under their own name at the dealership, with a Reply-To for the
-- customer's answer. Both are empty for every other queued message.
ALTER TABLE outbound_messages ADD COLUMN sender_name TEXT;
ALTER TABLE outbound_messages ADD COLUMN reply_to TEXT;
-- The "waiting on us" queue reads the customer_waiting events of every lead: a small partial index
-- keeps that read from scanning the whole timeline.
CREATE INDEX events_customer_waiting ON events (lead_id, at) WHERE kind = 'customer_waiting';
-- E-mail replies are matched to the message they answer by its Message-ID.
CREATE INDEX outbound_provider ON outbound_messages (provider_id) WHERE provider_id IS NOT NULL;
