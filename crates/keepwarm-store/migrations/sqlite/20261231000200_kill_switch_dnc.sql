-- The kill switch's audit trail: every change, per dealership or '*' for every dealership. The state
-- in force is the latest row of each scope.
CREATE TABLE kill_switch_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL,
    engaged INTEGER NOT NULL,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX kill_switch_changes_scope ON kill_switch_changes (scope, id);

-- National Do Not Call registry copies. Numbers of an import count only once it is finished; the
-- list in force is the latest finished import's.
CREATE TABLE dnc_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    registry_date TEXT NOT NULL,
    source TEXT NOT NULL,
    at INTEGER NOT NULL,
    numbers INTEGER NOT NULL DEFAULT 0,
    finished INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE dnc_numbers (
    import_id INTEGER NOT NULL,
    number INTEGER NOT NULL,
    PRIMARY KEY (number, import_id)
) WITHOUT ROWID;
