//! Who is signed in, and the actions that change it: one [`Auth`] in the
//! context of every page, from [`provide_auth`].
use crate::{
    auth::api::{current_user, Login, Logout, LogoutAll, Register},
    error::AppError,
    users::Account,
};
use leptos::prelude::*;

/// Who is signed in, and the actions that change it; provided to every page.
///
/// Pages are server components: each request renders one, so the user is
/// read once per page, and an action's form is a plain post to its server
/// function, which redirects back (the islands router patches the answer
/// into the page). An action's value is the error a post brought back.
#[derive(Clone, Copy)]
pub struct Auth {
    pub user: Resource<Result<Option<Account>, AppError>>,
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
    pub logout_all: ServerAction<LogoutAll>,
    pub register: ServerAction<Register>,
}

impl Auth {
    /// Whether someone is signed in, once the user is known: what a page
    /// awaits before it loads data only a signed-in user may read.
    pub async fn is_signed_in(self) -> bool {
        matches!(self.user.await, Ok(Some(_)))
    }
}

/// Creates the sign-in actions and the signed-in user, and provides them as
/// [`Auth`]. Called once, inside the router.
pub fn provide_auth() {
    // <Routes> reads the error a form post carried back in the URL only
    // once it renders, after these actions exist; read it first, as it does.
    leptos_router::hooks::use_url()
        .read_untracked()
        .provide_server_action_error();
    provide_context(Auth {
        user: Resource::new(|| (), |_| current_user()),
        login: ServerAction::<Login>::new(),
        logout: ServerAction::<Logout>::new(),
        logout_all: ServerAction::<LogoutAll>::new(),
        register: ServerAction::<Register>::new(),
    });
}
