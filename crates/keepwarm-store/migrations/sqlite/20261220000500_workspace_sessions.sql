-- The workspace's sign-in (issue 14): staff passwords and server-side browser sessions.
--
-- A password is kept only as its argon2id PHC string (salt and parameters inside). A session is
-- known by the SHA-256 digest of its cookie's random token, so a copy of this table signs nobody
-- in; its CSRF token is a separate random value every form of that session must carry. A session
-- ends when its holder signs out (ended_at) or when it has been idle too long (last_seen_at, read
-- by the server); ended sessions keep their rows.
CREATE TABLE staff_passwords (
    staff_id    TEXT    PRIMARY KEY,
    hash        TEXT    NOT NULL,  -- argon2id PHC string
    set_at      INTEGER NOT NULL
);

CREATE TABLE web_sessions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash    TEXT    NOT NULL UNIQUE,  -- lower-case hex SHA-256 of the cookie's token
    staff_id      TEXT    NOT NULL,
    csrf_token    TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    ended_at      INTEGER
);
CREATE INDEX web_sessions_staff ON web_sessions (staff_id);

-- The Today page's queries: leads received lately, and open tasks by due time.
CREATE INDEX leads_created ON leads (created_at);
CREATE INDEX tasks_due ON tasks (status, due_at);
