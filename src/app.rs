//! The HTML document and the routes. No logic lives here.
use crate::{
    auth::context::provide_auth,
    components::Nav,
    islands::{CrossTab, IslandsRouter},
    pages::{
        ActivityPage, CookiesPage, DeleteCookiePage, HomePage, HowItWorksPage, LoginPage,
        LoginTwoFactorPage, NotFoundPage, PasskeysPage, PasswordPage, ProfilePage, RegisterPage,
        SessionPage, SessionsPage, SetCookiePage, TwoFactorPage, UsersPage,
    },
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The whole HTML document, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                // The islands' loader, and the islands router (a fixed copy
                // of Leptos' own: see src/islands/mod.rs).
                <HydrationScripts options=options.clone() islands=true />
                <IslandsRouter />
                // /pkg/sesame.<hash>.css when cargo-leptos hashed the files.
                <HashedStylesheet options id="leptos" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|text: String| format!("{text} · sesame") />
        <Router>
            <Body />
        </Router>
    }
}

/// Inside the router, so that the sign-in actions see an error a plain
/// form post carried back in the URL.
#[component]
fn Body() -> impl IntoView {
    provide_auth();

    // Every route renders SsrMode::Async: a page's data (cookies, the
    // session) is read before the first byte, so headers, statuses and
    // redirects set while rendering reach the browser, and every page is
    // complete without JavaScript.
    view! {
        <Nav />
        <CrossTab />
        <main>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                <Route path=path!("/login/2fa") view=LoginTwoFactorPage ssr=SsrMode::Async />
                <Route path=path!("/register") view=RegisterPage ssr=SsrMode::Async />
                <Route path=path!("/profile") view=ProfilePage ssr=SsrMode::Async />
                <Route path=path!("/profile/sessions") view=SessionsPage ssr=SsrMode::Async />
                <Route path=path!("/profile/password") view=PasswordPage ssr=SsrMode::Async />
                <Route path=path!("/profile/activity") view=ActivityPage ssr=SsrMode::Async />
                <Route path=path!("/profile/2fa") view=TwoFactorPage ssr=SsrMode::Async />
                <Route path=path!("/profile/passkeys") view=PasskeysPage ssr=SsrMode::Async />
                <Route path=path!("/users") view=UsersPage ssr=SsrMode::Async />
                <Route path=path!("/session") view=SessionPage ssr=SsrMode::Async />
                <Route path=path!("/cookies") view=CookiesPage ssr=SsrMode::Async />
                <Route path=path!("/how-it-works") view=HowItWorksPage ssr=SsrMode::Async />
                <Route path=path!("/set_cookie/:username") view=SetCookiePage ssr=SsrMode::Async />
                <Route path=path!("/delete_cookie") view=DeleteCookiePage ssr=SsrMode::Async />
            </Routes>
        </main>
    }
}
