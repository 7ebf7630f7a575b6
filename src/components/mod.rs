//! Small widgets shared by the pages.
mod field_error;
mod nav;

pub use field_error::FieldMessage;
pub use nav::Nav;
