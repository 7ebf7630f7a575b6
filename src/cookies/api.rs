//! Server functions of the cookie demo.
use crate::error::AppError;
use leptos::prelude::*;

/// The name in the visitor's `username` cookie, if any.
#[server(prefix = "/api", endpoint = "cookie")]
pub async fn get_cookie() -> Result<Option<String>, AppError> {
    use crate::cookies::ssr;
    Ok(ssr::read().map(|name| name.into_inner()))
}

/// Sets the `username` cookie (Flask's `resp.set_cookie('username', name)`).
#[server(prefix = "/api", endpoint = "set_cookie")]
pub async fn set_cookie(name: String) -> Result<String, AppError> {
    use crate::{
        cookies::{ssr, CookieName},
        state::app_state,
    };
    let name = CookieName::parse(&name).map_err(|msg| AppError::field("name", msg))?;
    let secure = app_state()?.settings.cookie_secure;
    ssr::write(&name, secure);
    Ok(name.into_inner())
}

/// Removes the `username` cookie.
#[server(prefix = "/api", endpoint = "delete_cookie")]
pub async fn delete_cookie() -> Result<(), AppError> {
    use crate::{cookies::ssr, state::app_state};
    let secure = app_state()?.settings.cookie_secure;
    ssr::remove(secure);
    Ok(())
}
