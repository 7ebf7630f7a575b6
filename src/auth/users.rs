//! The `users` server function: the SQL demo, signed-in users only.
use crate::{error::AppError, users::UsersPage};
use leptos::prelude::*;

/// Page `page` (default 1) of all users, 20 a page, by id.
#[server(prefix = "/api", endpoint = "users")]
pub async fn users(page: Option<u32>) -> Result<UsersPage, AppError> {
    use crate::{
        session::keys::{self as session},
        state::app_state,
        users::db,
    };
    let state = app_state()?;
    let auth = session::current().await?;
    if auth.user.is_none() {
        return Err(AppError::Unauthorized);
    }
    let page = page.unwrap_or(1);
    if page == 0 {
        return Err(AppError::field("page", crate::error::Problem::PageFrom1));
    }
    let (users, has_next) = db::page(&state.db, page).await?;
    Ok(UsersPage {
        page,
        users,
        has_next,
    })
}
