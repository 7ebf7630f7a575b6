//! The server function behind `/how-it-works`. Reading never creates a
//! session.
use super::Picture;
use crate::error::AppError;
use leptos::prelude::*;

/// What this browser sent and what the server stores for it.
#[server(prefix = "/api", endpoint = "how_it_works")]
pub async fn how_it_works() -> Result<Picture, AppError> {
    use super::{mask, BrowserCookie, Stored};
    use crate::{
        clock::format_time,
        cookies::{CookieName, COOKIE},
        session::keys::{self as session},
        session::store::at_rest,
        state::app_state,
    };
    let state = app_state()?;
    // Never compressed (src/caching.rs): this answer shows the start of
    // the session id next to values anyone can make a browser send (the
    // demo cookie via a GET of /set_cookie/<name>): the BREACH pattern.
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.insert_header(
            http::header::CONTENT_ENCODING,
            http::HeaderValue::from_static("identity"),
        );
    }
    let auth = session::current().await?;
    let secure = state.settings.cookie_secure;
    let session_name = state.settings.session_cookie_name();
    let base = if secure {
        "HttpOnly · SameSite=Lax · Path=/ · Secure"
    } else {
        "HttpOnly · SameSite=Lax · Path=/"
    };

    let stored = match auth.session.id() {
        Some(id) if !auth.session.is_empty().await => {
            let times = crate::session::expiry::times(&auth.session, &state.session_policy).await?;
            let key: String = at_rest(&id).to_string().chars().take(8).collect();
            Some(Stored {
                key: format!("{key}…"),
                expires_at: format_time(times.expires_at),
                remember: times.remember,
                user: auth.user.as_ref().map(crate::users::Account::from),
                note: session::note(&auth.session).await?,
            })
        }
        _ => None,
    };
    // How the session cookie lives: a Max-Age when remembered, else until
    // the browser closes. The same for every cookie line below.
    let (session_lifetime, max_age) = match &stored {
        Some(s) if s.remember => {
            let seconds = state.session_policy.lifetime.as_secs();
            (
                format!("Max-Age={seconds} (until {})", s.expires_at),
                format!("; Max-Age={seconds}"),
            )
        }
        _ => ("until the browser closes".to_owned(), String::new()),
    };
    let secure_attribute = if secure { "; Secure" } else { "" };

    let parts = use_context::<http::request::Parts>();
    let sent: Vec<(String, String)> = parts
        .iter()
        .flat_map(|p| p.headers.get_all(http::header::COOKIE))
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .map(|c| (c.name().to_owned(), c.value().to_owned()))
        .collect();
    let mut cookies = Vec::new();
    let mut set_cookies = Vec::new();
    for (name, value) in sent {
        if name == session_name {
            set_cookies.push(format!(
                "{name}={}; HttpOnly; SameSite=Lax; Path=/{secure_attribute}{max_age}",
                mask(&value),
            ));
            cookies.push(BrowserCookie {
                value: mask(&value),
                attributes: format!("{base} · {session_lifetime}"),
                name,
            });
        } else if name == COOKIE {
            let Some(decoded) = CookieName::decode(&value) else {
                continue;
            };
            set_cookies.push(format!(
                "{name}={value}; HttpOnly; SameSite=Lax; Path=/{secure_attribute}"
            ));
            cookies.push(BrowserCookie {
                value: decoded.into_inner(),
                attributes: format!("{base} · until the browser closes"),
                name,
            });
        } else {
            // Not ours (another app on this host): named, never shown.
            cookies.push(BrowserCookie {
                value: mask(&value),
                attributes: "not set by sesame".to_owned(),
                name: name.chars().take(40).collect(),
            });
        }
    }
    Ok(Picture {
        cookies,
        stored,
        set_cookies,
    })
}
