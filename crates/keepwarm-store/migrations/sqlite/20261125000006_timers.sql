-- Follow-up timers: things to check later about a lead (resume after a silence, re-enroll a
-- "not now" into nurture, raise a going-cold alert). Each fires once.
CREATE TABLE follow_up_timers (
    id         INTEGER PRIMARY KEY,
    lead_id    INTEGER NOT NULL REFERENCES leads (id),
    kind       TEXT    NOT NULL,  -- resume_after_silence | nurture | going_cold
    due_at     INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    fired_at   INTEGER
);
CREATE INDEX follow_up_timers_due ON follow_up_timers (fired_at, due_at);
