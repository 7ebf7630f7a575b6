//! The `activity` server function: the signed-in user's own events.
use crate::{
    activity::{ActivityPage, Notice},
    error::AppError,
};
use leptos::prelude::*;

/// Page `page` (default 1) of the signed-in user's security events, newest
/// first, 20 a page.
#[server(prefix = "/api", endpoint = "activity")]
pub async fn activity(page: Option<u32>) -> Result<ActivityPage, AppError> {
    use crate::{activity::db, state::app_state};
    let state = app_state()?;
    let (user, _) = crate::sign_in::flow::signed_in().await?;
    let page = page.unwrap_or(1);
    if page == 0 {
        return Err(AppError::field("page", crate::error::Problem::PageFrom1));
    }
    let (events, has_next) = db::page(&state.db, user.id, page).await?;
    Ok(ActivityPage {
        page,
        events,
        has_next,
    })
}

/// The profile's notices ("New sign-in from …"), newest first.
#[server(prefix = "/api", endpoint = "notices")]
pub async fn notices() -> Result<Vec<Notice>, AppError> {
    use crate::{activity::db, state::app_state};
    let state = app_state()?;
    let (user, _) = crate::sign_in::flow::signed_in().await?;
    db::notices(&state.db, user.id).await
}

/// Dismisses one of the signed-in user's notices, by its id.
#[server(prefix = "/api", endpoint = "dismiss_notice")]
pub async fn dismiss_notice(id: i64) -> Result<(), AppError> {
    use crate::{activity::db, state::app_state};
    let state = app_state()?;
    let (user, _) = crate::sign_in::flow::signed_in().await?;
    if !db::dismiss(&state.db, user.id, id).await? {
        return Err(AppError::NotFound);
    }
    Ok(())
}
