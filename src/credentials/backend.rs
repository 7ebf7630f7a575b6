//! [ssr] The axum-login backend: who a session's user is, and whether a
//! username and password match.
use crate::{
    credentials::password::Hasher,
    error::AppError,
    users::db::{self, User},
};
use axum_login::{AuthUser, AuthnBackend, UserId};

impl AuthUser for User {
    type Id = i64;

    fn id(&self) -> i64 {
        self.id
    }

    /// A per-user random token, not the password hash (which must not be
    /// copied into every session). Rotating it ends every session of the
    /// user: "log out everywhere" and, later, a password change.
    fn session_auth_hash(&self) -> &[u8] {
        self.session_token.as_bytes()
    }
}

pub struct Credentials {
    pub username: String,
    pub password: String,
}

#[derive(Clone)]
pub struct Backend {
    pub db: crate::db::Db,
    pub hasher: Hasher,
}

impl AuthnBackend for Backend {
    type User = User;
    type Credentials = Credentials;
    type Error = AppError;

    async fn authenticate(&self, creds: Credentials) -> Result<Option<User>, AppError> {
        // A username that breaks the rules can't exist; it still costs a
        // verification, so it looks like any other failure from outside.
        let user = if crate::users::validate::Username::parse(&creds.username).is_ok() {
            db::find_by_username(&self.db, &creds.username).await?
        } else {
            None
        };
        let password = if creds.password.chars().count() <= 128 {
            creds.password.as_str()
        } else {
            ""
        };
        let hash = user.as_ref().map(|u| u.password_hash.as_str());
        let ok = self.hasher.verify(password, hash).await?;
        Ok(user.filter(|_| ok))
    }

    /// The session's user; when the session names its device row, the
    /// row's `last_seen` comes in the same statement, for the guard
    /// (`sign_in::guard`) to read instead of asking again.
    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<User>, AppError> {
        let Some(handle) = crate::db::request::handle() else {
            return db::find_by_id(&self.db, *id).await;
        };
        let found = db::find_signed_in(&self.db, *id, &handle).await?;
        Ok(found.map(|(user, seen)| {
            crate::db::request::note_seen(handle, seen);
            user
        }))
    }
}
