-- Weekly report e-mails (the audit and funnel summary to managers): one row per dealership, ISO
-- week and recipient, inserted before the message is handed to the channel, so a week's report
-- goes to each recipient at most once, across restarts and several processes.
CREATE TABLE report_deliveries (
    dealership TEXT    NOT NULL,
    week       TEXT    NOT NULL,  -- 2026-W47
    recipient  TEXT    NOT NULL,  -- staff id
    claimed_at INTEGER NOT NULL,
    status     TEXT    NOT NULL,  -- sending | sent | failed
    detail     TEXT,
    PRIMARY KEY (dealership, week, recipient)
);
