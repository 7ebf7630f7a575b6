//! What every way of signing in shares: signing a session in and out
//! (`flow`), who is signed in and how strongly, with proofs by kind
//! (`proof`), where to go after (`redirect`), which routes need a sign-in
//! (`access`), the limit on new sessions (`new_sessions`) and signing out a
//! session whose device row was revoked (`guard`). The server functions
//! that use it are the views in `auth/`.
pub mod redirect;

#[cfg(feature = "ssr")]
pub mod access;
#[cfg(feature = "ssr")]
pub mod flow;
#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod new_sessions;
#[cfg(feature = "ssr")]
pub mod proof;

use serde::{Deserialize, Serialize};

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
