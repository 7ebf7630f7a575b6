//! What the HTTP tests share: spawning the app (`spawn`), where its data
//! lives (`storage`), a typed browser with a method per endpoint
//! (`browser`), the real binary as a process (`process`), and what to
//! assert of a response (`assertions`), and a software passkey
//! authenticator (`authenticator`).
mod assertions;
mod authenticator;
mod browser;
mod process;
mod spawn;
mod storage;

pub use assertions::*;
pub use authenticator::*;
pub use browser::*;
pub use process::*;
pub use spawn::*;
pub use storage::*;
