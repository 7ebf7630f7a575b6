//! Accounts and sign-in: shared types, field rules, `next` handling, and the
//! server functions; the server-only parts are gated here, once.
pub mod api;
pub mod context;
pub mod redirect;
pub mod validate;

#[cfg(feature = "ssr")]
pub mod access;
#[cfg(feature = "ssr")]
pub mod backend;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod proof;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod throttle;

use serde::{Deserialize, Serialize};

/// The signed-in user, as the browser may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub email: String,
}

/// Whether a sensitive change must wait for "Confirm it is you".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofState {
    /// No sign-in proof from the last `REAUTH_MINUTES` in this session.
    pub needed: bool,
    /// The user has a passkey to give one with.
    pub passkey: bool,
    /// The account has two-factor on: a password typed as a proof needs
    /// a code with it.
    pub code: bool,
}

/// This session's times for the profile page, formatted on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTimes {
    pub started_at: String,
    pub expires_at: String,
    /// Seconds from this answer to `expires_at`: what the profile counts
    /// down in the browser, whatever the browser's clock says.
    pub seconds_left: i64,
    pub remember: bool,
}

/// Unix seconds as the pages show them, in UTC.
#[cfg(feature = "ssr")]
pub fn format_time(unix: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(unix) {
        Ok(t) => format!(
            "{} {:02}:{:02}:{:02} UTC",
            t.date(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => "unknown".to_owned(),
    }
}

#[cfg(feature = "ssr")]
impl From<&crate::users::db::User> for Account {
    fn from(user: &crate::users::db::User) -> Self {
        Self {
            id: user.id,
            username: user.username.clone(),
            email: user.email.clone(),
        }
    }
}
