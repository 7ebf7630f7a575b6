-- Two-factor sign-in. The TOTP secret is what the authenticator app holds
-- (base32); last_step is the newest 30-second step a code was accepted for,
-- so no code works twice. Recovery codes are stored as SHA-256 hashes only
-- (each is 50 random bits, shown once); a used one keeps its row, marked.
CREATE TABLE two_factor (
    user_id    INTEGER NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret     TEXT    NOT NULL,
    -- unix seconds
    enabled_at INTEGER NOT NULL,
    last_step  INTEGER NOT NULL
);
CREATE TABLE recovery_codes (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT    NOT NULL,
    -- unix seconds; NULL while unused
    used_at   INTEGER
);
CREATE INDEX recovery_codes_by_user ON recovery_codes (user_id);
