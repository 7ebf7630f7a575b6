//! The Flask-Login views: the server functions of signing in and out,
//! registering, re-authenticating and the password (`api`), two-factor
//! (`two_factor`), passkeys (`passkeys`), the users list (`users`), and the
//! signed-in state every page reads (`context`). What they share is below
//! them: `sign_in/`, `session/`, `credentials/`.
pub mod api;
pub mod context;
pub mod passkeys;
pub mod two_factor;
pub mod users;
