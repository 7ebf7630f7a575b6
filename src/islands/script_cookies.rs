//! The cookie demo's other half: what JavaScript in the page can see.
use super::browser;
use leptos::prelude::*;

/// `document.cookie` as the page's scripts read it, kept current as forms
/// set and delete the cookie. The server's greeting above it saw the
/// `username` cookie as well; here the session cookie is missing, because
/// it is `HttpOnly`.
#[island]
pub fn ScriptCookies() -> impl IntoView {
    // None until the island runs: with JavaScript off, nothing reads it.
    let seen = RwSignal::new(None::<String>);
    Effect::new(move |_| browser::watch_cookies(seen));
    let shown = move || match seen.get() {
        None => "(nothing: JavaScript is off)".to_owned(),
        Some(cookies) if cookies.is_empty() => "(empty)".to_owned(),
        Some(cookies) => cookies,
    };
    view! {
        <section class="script-cookies" aria-labelledby="script-cookies-heading">
            <h2 id="script-cookies-heading">"What JavaScript sees"</h2>
            <p>
                <code>"document.cookie"</code>
                " = "
                <output data-testid="document-cookie">{shown}</output>
            </p>
            <p class="muted">
                "The session cookie is never in that list: it is HttpOnly, so the browser sends it \
                 to the server but never shows it to scripts."
            </p>
        </section>
    }
}
