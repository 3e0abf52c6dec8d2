-- Touches are claimed like queued messages: with the claiming worker's name and a lease expiry. Only
-- the lease holder's result counts, and only a touch whose lease expired while `sending` (its
-- worker stopped between claim and result) is reconciled with the channel, so several processes
-- can dispatch from one database without sending a touch twice. Rows left `sending` by a version
-- without leases have no expiry and are reconciled at once.
ALTER TABLE touches ADD COLUMN lease_owner TEXT;
ALTER TABLE touches ADD COLUMN lease_until INTEGER;
CREATE INDEX touches_sending ON touches (lease_until) WHERE state = 'sending';
