-- The send-time gate counts a person's recent automated calls and texts (frequency caps, FL/OK/MD
-- 3 per 24 h, ME 1 per 8 h) by the number they went to, across dealerships.
CREATE INDEX touches_recipient_sent ON touches (recipient, finished_at) WHERE state = 'sent';
