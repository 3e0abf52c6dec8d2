-- Failed workspace sign-ins (issue 14), kept in the database so the limit per account and per
-- address holds across restarts and across every process serving the workspace. `key` is
-- `account:LOGIN` or `address:IP`; `at` is milliseconds since the Unix epoch. Rows older than the
-- window are deleted as new failures are recorded.
CREATE TABLE sign_in_failures (
    key text   NOT NULL,
    at  bigint NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (key, at);
CREATE INDEX sign_in_failures_at ON sign_in_failures (at);
