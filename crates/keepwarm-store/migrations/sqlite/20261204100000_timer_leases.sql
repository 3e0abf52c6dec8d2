-- Timers are claimed with a lease (worker + expiry) and marked fired only once their work is done:
-- a worker that dies after claiming leaves the timer to fire again once the lease runs out, instead
-- of losing it.
ALTER TABLE follow_up_timers ADD COLUMN claimed_by TEXT;
ALTER TABLE follow_up_timers ADD COLUMN lease_until INTEGER;
