//! One page per route, named after it.
mod cookies;
mod delete_cookie;
mod devices;
mod home;
mod how_it_works;
mod login;
mod not_found;
mod password;
mod profile;
mod register;
mod session;
mod set_cookie;
mod users;

pub use cookies::CookiesPage;
pub use delete_cookie::DeleteCookiePage;
pub use devices::SessionsPage;
pub use home::HomePage;
pub use how_it_works::HowItWorksPage;
pub use login::LoginPage;
pub use not_found::NotFoundPage;
pub use password::PasswordPage;
pub use profile::ProfilePage;
pub use register::RegisterPage;
pub use session::SessionPage;
pub use set_cookie::SetCookiePage;
pub use users::UsersPage;
