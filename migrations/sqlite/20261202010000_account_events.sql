-- What happened to an account, for its own security activity page: sign-ins
-- (and how), failed and throttled attempts, sign-outs, revoked sessions, a
-- changed password. Never a secret, a password or a session id: the kind,
-- a few words of detail, the device as the sessions page describes it, and
-- the address. Kept 90 days (the cleanup task), and gone with the user.
CREATE TABLE account_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- unix seconds
    created_at INTEGER  NOT NULL,
    kind       TEXT    NOT NULL,
    detail     TEXT    NOT NULL,
    device     TEXT    NOT NULL,
    -- the device without versions ("Firefox on Linux"): what "a device
    -- the account has not used before" compares
    family     TEXT    NOT NULL,
    ip         TEXT    NOT NULL
);
CREATE INDEX account_events_by_user ON account_events (user_id, id);
CREATE INDEX account_events_by_time ON account_events (created_at);

-- "New sign-in from <device>" on the profile, until dismissed: a sign-in
-- from a device family the account had never signed in from.
CREATE TABLE sign_in_notices (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- unix seconds
    created_at INTEGER  NOT NULL,
    device     TEXT    NOT NULL,
    ip         TEXT    NOT NULL
);
CREATE INDEX sign_in_notices_by_user ON sign_in_notices (user_id);
