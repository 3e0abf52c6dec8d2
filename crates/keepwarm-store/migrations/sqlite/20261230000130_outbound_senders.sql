-- A person's e-mail is sent under their own name at the dealership, with a Reply-To for the
-- customer's answer (issue 13). Both are empty for every other queued message.
ALTER TABLE outbound_messages ADD COLUMN sender_name TEXT;
ALTER TABLE outbound_messages ADD COLUMN reply_to TEXT;
