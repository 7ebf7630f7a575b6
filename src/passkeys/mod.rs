//! Passkeys (WebAuthn): signing in with a key the browser or phone keeps,
//! instead of a password, and proving it is you again before a sensitive
//! change. webauthn-rs does the cryptography and the checks the standard
//! asks for; sesame keeps the ceremony in the session and the keys in SQL.
//!
//! Shared types; [ssr] the ceremonies and the table. The server functions
//! are in `auth::passkeys`; the browser's half is the passkey buttons
//! (src/components/passkey.rs, driven by src/islands/passkeys.js).
#[cfg(feature = "ssr")]
pub mod ceremony;
#[cfg(feature = "ssr")]
pub mod db;

use serde::{Deserialize, Serialize};

/// Longest name a passkey may be given.
pub const NAME_MAX: usize = 64;

/// What `/profile/passkeys` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyList {
    pub passkeys: Vec<PasskeyRow>,
    /// A change here needs a sign-in proof first (`REAUTH_MINUTES`).
    pub needs_proof: bool,
    /// The password needs a code with it (two-factor is on).
    pub code_proof: bool,
}

/// One passkey, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyRow {
    pub id: i64,
    pub name: String,
    pub added: String,
    /// `None` until it is first used.
    pub last_used: Option<String>,
}

/// Where the browser goes after signing in with a passkey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInWithPasskey {
    pub to: String,
}
