//! One page per route, named after it.
mod cookies;
mod delete_cookie;
mod home;
mod not_found;
mod set_cookie;

pub use cookies::CookiesPage;
pub use delete_cookie::DeleteCookiePage;
pub use home::HomePage;
pub use not_found::NotFoundPage;
pub use set_cookie::SetCookiePage;
