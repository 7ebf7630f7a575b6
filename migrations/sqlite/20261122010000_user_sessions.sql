-- Every signed-in session of a user, for the sessions & devices page. The
-- session itself lives in the session store; this row is its index entry.
-- A session whose row is gone is signed out on its next request.
CREATE TABLE user_sessions (
    -- random, public: what the page and /api/revoke_session use
    handle     TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- unix seconds
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    ip         TEXT    NOT NULL,
    user_agent TEXT    NOT NULL
);
CREATE INDEX user_sessions_by_user ON user_sessions (user_id);
CREATE INDEX user_sessions_by_expiry ON user_sessions (expires_at);
