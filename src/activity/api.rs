//! The `activity` server function: the signed-in user's own events.
use crate::{activity::ActivityPage, error::AppError};
use leptos::prelude::*;

/// Page `page` (default 1) of the signed-in user's security events, newest
/// first, 20 a page.
#[server(prefix = "/api", endpoint = "activity")]
pub async fn activity(page: Option<u32>) -> Result<ActivityPage, AppError> {
    use crate::{activity::db, auth::session, state::app_state};
    let state = app_state()?;
    let (user, _) = session::signed_in().await?;
    let page = page.unwrap_or(1);
    if page == 0 {
        return Err(AppError::field("page", "Page numbers start at 1."));
    }
    let (events, has_next) = db::page(&state.db, user.id, page).await?;
    Ok(ActivityPage {
        page,
        events,
        has_next,
    })
}
