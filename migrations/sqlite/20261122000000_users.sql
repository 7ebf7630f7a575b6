-- Users (the SQL demo) and failed-login counts.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL,
    email         TEXT    NOT NULL,
    -- argon2id PHC string
    password_hash TEXT    NOT NULL,
    -- random; every session stores it, so changing it ends them all
    session_token TEXT    NOT NULL,
    -- unix seconds
    created_at    INTEGER NOT NULL
);

-- Usernames and emails are unique whatever their case.
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE login_failures (
    username_key TEXT    NOT NULL,
    -- unix milliseconds
    failed_at    INTEGER NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures (username_key, failed_at);
