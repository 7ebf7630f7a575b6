-- What happened to an account, for its own security activity page: sign-ins
-- (and how), failed and throttled attempts, sign-outs, revoked sessions, a
-- changed password. Never a secret, a password or a session id: the kind,
-- a few words of detail, the device as the sessions page describes it, and
-- the address. Kept 90 days (the cleanup task), and gone with the user.
CREATE TABLE account_events (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- unix seconds
    created_at BIGINT  NOT NULL,
    kind       TEXT    NOT NULL,
    detail     TEXT    NOT NULL,
    device     TEXT    NOT NULL,
    ip         TEXT    NOT NULL
);
CREATE INDEX account_events_by_user ON account_events (user_id, id);
CREATE INDEX account_events_by_time ON account_events (created_at);
