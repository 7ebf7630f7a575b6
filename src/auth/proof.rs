//! [ssr] A password typed again by someone signed in (changing it,
//! confirming before a sensitive change, deleting the account): checked
//! like a sign-in, so a stolen session cannot be used to guess it.
use crate::{auth::throttle, error::AppError, state::AppState, users::db::User};

/// Whether `password` is `user`'s. Counted like a sign-in: the client's
/// limit first, then the username's throttle, where a wrong password is a
/// failure; a check that never ran (busy, an outage) is not counted.
pub async fn check_password(
    state: &AppState,
    user: &User,
    password: &str,
) -> Result<bool, AppError> {
    state
        .client_limits
        .password_attempt(crate::client::current())?;
    let attempt = state
        .throttle
        .reserve(&state.db, &throttle::key(&user.username))
        .await?;
    let ok = match state
        .hasher
        .verify(password, Some(&user.password_hash))
        .await
    {
        Ok(ok) => ok,
        Err(err) => {
            state.throttle.release(&state.db, attempt).await;
            return Err(err);
        }
    };
    if ok {
        state.throttle.succeeded(&state.db, attempt).await?;
    } else {
        state.throttle.failed(&state.db, attempt).await?;
    }
    Ok(ok)
}
