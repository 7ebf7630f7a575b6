-- Every signed-in session of a user, for the sessions & devices page. The
-- session itself lives in the session store; this row is its index entry.
-- A session whose row is gone is signed out on its next request.
CREATE TABLE user_sessions (
    -- random, public: what the page and /api/revoke_session use
    handle     TEXT    PRIMARY KEY,
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- unix seconds
    created_at BIGINT  NOT NULL,
    last_seen  BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    ip         TEXT    NOT NULL,
    user_agent TEXT    NOT NULL
);
CREATE INDEX user_sessions_by_user ON user_sessions (user_id);
CREATE INDEX user_sessions_by_expiry ON user_sessions (expires_at);
