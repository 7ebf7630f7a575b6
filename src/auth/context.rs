//! Who is signed in, and the actions that change it: one [`Auth`] in the
//! context of every page, from [`provide_auth`].
use crate::{
    auth::{
        api::{current_user, Login, Logout, LogoutAll, Register},
        Account,
    },
    error::AppError,
};
use leptos::prelude::*;

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

    /// Whether someone is signed in, once the user is known: what a page
    /// awaits before it loads data only a signed-in user may read.
    pub async fn is_signed_in(self) -> bool {
        matches!(self.user.await, Ok(Some(_)))
    }
}

/// Creates the sign-in actions and the signed-in user, and provides them as
/// [`Auth`]. Called once, inside the router.
pub fn provide_auth() {
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
}
