//! Sessions & devices: every signed-in session of a user, listed with where
//! and what it signed in from, each one revocable from any other.
//!
//! The index is the table `user_sessions`: a session holds its row's public
//! handle (never its id), and a signed-in session whose row is gone is
//! signed out on its next request (`sign_in::guard`). The server
//! functions are in `account::devices`.
#[cfg(feature = "ssr")]
pub mod db;

use serde::{Deserialize, Serialize};

/// One signed-in session of the user, as the sessions & devices page shows
/// it. `handle` is public and random; the session's id never leaves the
/// server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceSession {
    pub handle: String,
    pub created_at: String,
    pub last_seen: String,
    pub expires_at: String,
    pub ip: String,
    pub browser: String,
    pub this_device: bool,
}
