//! Small widgets shared by the pages.
mod confirm;
mod field_error;
mod nav;
mod pager;
mod passkey;
mod signed_in;

pub use confirm::{proof_state, ConfirmPassword};
pub use field_error::{ErrorMessage, Field, FieldMessage, PasswordField};
pub use nav::{Nav, SeeWhatChanged};
pub use pager::{page_query, PageError, Pager};
pub use passkey::{AddPasskey, ConfirmWithPasskey, DeleteWithPasskey, PasskeySignIn};
pub use signed_in::SignedIn;
