-- What an e-mail in the sandbox's outbox carries as SMTP would (issue 13): its Message-ID, which a
-- customer's reply names in In-Reply-To/References, and the lead's reply address (Reply-To).
ALTER TABLE outbox ADD COLUMN message_id TEXT;
ALTER TABLE outbox ADD COLUMN reply_to TEXT;
