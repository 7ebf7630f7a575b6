//! The users table (the SQL demo): shared types and the `users` server fn.
pub mod api;
#[cfg(feature = "ssr")]
pub mod db;

use serde::{Deserialize, Serialize};

/// One row of `/users`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub email: String,
}

/// Users are listed this many a page.
pub const PER_PAGE: u32 = 20;

/// A page of `/users`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsersPage {
    pub page: u32,
    pub users: Vec<UserRow>,
    pub has_next: bool,
}
