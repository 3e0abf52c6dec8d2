-- The kill switch's audit trail: every change, per dealership or '*' for every dealership. The state
-- in force is the latest row of each scope.
CREATE TABLE kill_switch_changes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope text NOT NULL,
    engaged boolean NOT NULL,
    reason text NOT NULL,
    actor text NOT NULL,
    at bigint NOT NULL
);
CREATE INDEX kill_switch_changes_scope ON kill_switch_changes (scope, id);

-- National Do Not Call registry copies. Numbers of an import count only once it is finished; the
-- list in force is the latest finished import's.
CREATE TABLE dnc_imports (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    registry_date text NOT NULL,
    source text NOT NULL,
    at bigint NOT NULL,
    numbers bigint NOT NULL DEFAULT 0,
    finished boolean NOT NULL DEFAULT false
);
CREATE TABLE dnc_numbers (
    import_id bigint NOT NULL,
    number bigint NOT NULL,
    PRIMARY KEY (number, import_id)
);
