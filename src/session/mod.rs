//! Sessions: Flask's `session`, kept on the server. The typed session and
//! the only names of its keys (`keys`), how long a session lives and how
//! its expiry is kept without a write per request (`expiry`), and where
//! sessions are stored (`store`: SQL or Redis, ids hashed at rest, saves
//! that merge). Who is signed in on a session, and how, is `sign_in/`.
#[cfg(feature = "ssr")]
pub mod expiry;
#[cfg(feature = "ssr")]
pub mod keys;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

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
