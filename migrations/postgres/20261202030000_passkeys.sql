-- Passkeys (WebAuthn credentials). credential_id is the authenticator's id
-- for the key (hex), unique across all users: a sign-in without a
-- username finds the account through it. user_handle is the id the
-- authenticator stores for the account (a UUID, the same for all of a
-- user's passkeys; never the database id). passkey is webauthn-rs' Passkey
-- as JSON: the public key and the signature counter, nothing secret.
CREATE TABLE passkeys (
    id            BIGSERIAL PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id TEXT    NOT NULL UNIQUE,
    user_handle   TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    passkey       TEXT    NOT NULL,
    -- unix seconds; last_used_at NULL until the first sign-in with it
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX passkeys_by_user ON passkeys (user_id);

-- Passkey ceremonies already answered: each may be answered once, on any
-- instance (see src/passkeys/ceremony.rs). Rows older than a ceremony's
-- 5 minutes are deleted by the cleanup task.
CREATE TABLE passkey_ceremonies (
    id      TEXT    NOT NULL PRIMARY KEY,
    -- unix seconds
    used_at BIGINT NOT NULL
);

-- Sign-ins offered in the username field's autofill (conditional UI),
-- waiting for the browser's answer. Started on every /login visit, so they
-- cannot wait in a session: a visitor who saved nothing has none. Found by
-- their challenge, deleted by the answer (once), or after 5 minutes.
CREATE TABLE passkey_autofill (
    challenge  TEXT    NOT NULL PRIMARY KEY,
    -- webauthn-rs' DiscoverableAuthentication, as JSON
    state      TEXT    NOT NULL,
    -- unix seconds
    created_at BIGINT NOT NULL
);
