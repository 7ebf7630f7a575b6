//! The signed-in person's account, as views: its sessions & devices
//! (`devices`), its security activity (`activity`), leaving with your data
//! (`/profile/export`: everything sesame stores about the user, as JSON,
//! without hashes or secrets) and deleting it (`delete`). The tables these
//! read are in the rooms below (`devices/`, `activity/`, `users/`).
pub mod activity;
pub mod delete;
pub mod devices;
#[cfg(feature = "ssr")]
pub mod export;
