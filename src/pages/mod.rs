//! One page per route, named after it.
mod cookies;
mod delete_cookie;
mod home;
mod login;
mod not_found;
mod profile;
mod register;
mod session;
mod set_cookie;
mod users;

pub use cookies::CookiesPage;
pub use delete_cookie::DeleteCookiePage;
pub use home::HomePage;
pub use login::LoginPage;
pub use not_found::NotFoundPage;
pub use profile::ProfilePage;
pub use register::RegisterPage;
pub use session::SessionPage;
pub use set_cookie::SetCookiePage;
pub use users::UsersPage;
