//! The cookie demo's other half: what JavaScript in the page can see.
use super::browser;
use leptos::prelude::*;

/// `document.cookie` as the page's scripts read it, kept current as the
/// page changes. The server's greeting above it read the `username`
/// cookie; scripts see neither it nor the session cookie, because both are
/// `HttpOnly`: what an injected script cannot read, it cannot steal. A
/// cookie a script sets itself does show.
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
                "The username cookie behind the greeting above and the session cookie never \
                 appear in that list: both are HttpOnly, so the browser sends them to the server \
                 but never shows them to scripts, and a script injected into the page could not \
                 steal them."
            </p>
        </section>
    }
}
