//! The account's security activity (`/profile/activity`): what happened to
//! it, newest first. Shared types; the table's queries and the events'
//! kinds are in `db`; the server functions in `account::activity`.
#[cfg(feature = "ssr")]
pub mod db;

use serde::{Deserialize, Serialize};

/// Events are listed this many a page.
pub const PER_PAGE: u32 = 20;

/// Events older than this many days are deleted.
pub const KEPT_DAYS: i64 = 90;

/// One event as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: i64,
    /// When, as the pages show times.
    pub at: String,
    /// What happened, for code: `signed_in`, `password_changed`...
    pub kind: String,
    /// What happened, for people: "Signed in with a password".
    pub what: String,
    /// The device as the sessions page describes it: "Chrome 130 on Linux".
    pub device: String,
    pub ip: String,
}

/// A notice on the profile until dismissed: "New sign-in from Firefox 128
/// on Linux".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: i64,
    pub text: String,
    /// Where from and when: "127.0.0.1, 2026-12-02 09:00:00 UTC".
    pub detail: String,
}

/// A page of `/profile/activity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityPage {
    pub page: u32,
    pub events: Vec<Event>,
    pub has_next: bool,
}
