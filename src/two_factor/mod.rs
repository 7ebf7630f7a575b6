//! Two-factor sign-in with time-based codes (RFC 6238: 6 digits, 30-second
//! steps, one step of clock skew either way) and 10 one-time recovery
//! codes. Shared types; [ssr] the codes, the tables and the half-done
//! sign-in. The server functions are in `auth::two_factor`.
#[cfg(feature = "ssr")]
pub mod codes;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod flow;

use serde::{Deserialize, Serialize};

/// What `/profile/2fa` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    /// A change here needs the password first (`REAUTH_MINUTES`).
    pub needs_proof: bool,
    /// The user could give that proof with a passkey.
    pub passkey_proof: bool,
    /// The password needs a code with it (two-factor is on).
    pub code_proof: bool,
    /// While off: what to put into an authenticator app.
    pub setup: Option<Setup>,
    /// Right after turning on, once: the recovery codes.
    pub recovery_codes: Vec<String>,
    /// While on: how many recovery codes are still unused.
    pub recovery_codes_left: u32,
}

/// A secret to enrol, as a QR code and as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setup {
    /// Base32, in groups of four for typing.
    pub secret: String,
    /// The QR code of the `otpauth://` URL: its width in modules, and the
    /// SVG path of its dark modules.
    pub qr_size: u32,
    pub qr_path: String,
}
