//! [ssr] Logging: `tracing` to stderr, filtered by `RUST_LOG` (default `info`).

/// Installs the global subscriber; call once, from `main`.
pub fn init() {
    use tracing_subscriber::{fmt, EnvFilter};
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    fmt().with_env_filter(filter).with_target(false).init();
}
