-- Personal API tokens of staff members (issue 13). A request with one acts as that person. Only the
-- SHA-256 digest of the token is kept: the token itself is printed once, when it is created, and a
-- copy of this table cannot be used to act as anyone. Rows are never deleted; a revoked token
-- keeps its row (revoked_at) so the list shows what existed and when it ended.
CREATE TABLE staff_tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id    TEXT    NOT NULL,
    name        TEXT    NOT NULL,  -- what the holder calls it: laptop, phone
    token_hash  TEXT    NOT NULL UNIQUE,  -- lower-case hex SHA-256 of the token
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX staff_tokens_staff ON staff_tokens (staff_id);
