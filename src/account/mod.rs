//! Leaving with your data: `/profile/export` (everything sesame stores
//! about the user, as JSON, without hashes or secrets) and deleting the
//! account.
pub mod api;
#[cfg(feature = "ssr")]
pub mod export;
