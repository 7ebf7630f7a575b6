//! The HTML document, the router and the signed-in state. No logic lives here.
use crate::{
    auth::{
        api::{current_user, Login, Logout, LogoutAll, Register},
        Account,
    },
    components::Nav,
    error::AppError,
    pages::{
        CookiesPage, DeleteCookiePage, HomePage, HowItWorksPage, LoginPage, NotFoundPage,
        PasswordPage, ProfilePage, RegisterPage, SessionPage, SessionsPage, SetCookiePage,
        UsersPage,
    },
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
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
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Who is signed in, and the actions that change it; provided to every page.
#[derive(Clone, Copy)]
pub struct Auth {
    pub user: Resource<Result<Option<Account>, AppError>>,
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
    pub logout_all: ServerAction<LogoutAll>,
    pub register: ServerAction<Register>,
    generation: Memo<Generation>,
}

/// Counts sign-in changes: this tab's actions, and changes seen elsewhere.
pub type Generation = ((usize, usize, usize, usize), usize);

impl Auth {
    /// Any change of sign-in: the pages that show session data read again.
    pub fn generation(&self) -> Generation {
        self.generation.get()
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/sesame.css" />
        <Title formatter=|text: String| format!("{text} · sesame") />
        <Router>
            <Body />
        </Router>
    }
}

/// Inside the router, so that actions see an error a plain form post
/// carried back in the URL.
#[component]
fn Body() -> impl IntoView {
    // <Routes> reads the error a plain form post carried back in the URL only
    // once it renders, after these actions exist; read it first, as it does.
    leptos_router::hooks::use_url()
        .read_untracked()
        .provide_server_action_error();
    let login = ServerAction::<Login>::new();
    let logout = ServerAction::<Logout>::new();
    let logout_all = ServerAction::<LogoutAll>::new();
    let register = ServerAction::<Register>::new();
    // Every action of this tab that can change who is signed in, in one
    // place; and a counter for changes made elsewhere (another tab, another
    // device), which `cross_tab` bumps.
    let local = Memo::new(move |_| {
        (
            login.version().get(),
            logout.version().get(),
            logout_all.version().get(),
            register.version().get(),
        )
    });
    let external = RwSignal::new(0usize);
    crate::cross_tab::connect(local, external);
    let generation = Memo::new(move |_| (local.get(), external.get()));
    // Read once per request on the server (the first paint is already signed
    // in or not), then again after each sign-in change.
    let user = Resource::new(move || generation.get(), |_| current_user());
    provide_context(Auth {
        user,
        login,
        logout,
        logout_all,
        register,
        generation,
    });

    // Every route renders SsrMode::Async: a page's data (cookies, the
    // session) is read before the first byte, so headers, statuses and
    // redirects set while rendering reach the browser, and every page is
    // complete without JavaScript.
    view! {
        <Nav />
        <main>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                <Route path=path!("/register") view=RegisterPage ssr=SsrMode::Async />
                <Route path=path!("/profile") view=ProfilePage ssr=SsrMode::Async />
                <Route path=path!("/profile/sessions") view=SessionsPage ssr=SsrMode::Async />
                <Route path=path!("/profile/password") view=PasswordPage ssr=SsrMode::Async />
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
