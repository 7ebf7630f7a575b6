//! Who an account is: the field rules (`validate`: username, email,
//! password), the signed-in user as the browser sees it ([`Account`]), and
//! the users table (the SQL demo; every query is in `db`). The `users`
//! server function is in `auth::users`.
#[cfg(feature = "ssr")]
pub mod db;
pub mod validate;

use serde::{Deserialize, Serialize};

/// The signed-in user, as the browser may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub email: String,
}

#[cfg(feature = "ssr")]
impl From<&db::User> for Account {
    fn from(user: &db::User) -> Self {
        Self {
            id: user.id,
            username: user.username.clone(),
            email: user.email.clone(),
        }
    }
}

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
