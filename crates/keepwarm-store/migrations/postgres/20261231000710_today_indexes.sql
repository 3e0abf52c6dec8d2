-- Today's reads at a dealership's scale (issue 14): the owners' loads count active leads per owner
-- from this index instead of every lead's row (the same index as SQLite's).
CREATE INDEX leads_active_owner ON leads (owner_id) WHERE status = 'active';
