-- One token bucket per sending number, shared by every process on the database: the instant (ms
-- since the Unix epoch, by the database's clock) from which the sender's next send may go. Each
-- reservation moves it on by one interval in one statement, so processes never race.
CREATE TABLE send_pacing (
    sender    text   NOT NULL PRIMARY KEY,
    next_free bigint NOT NULL
);
