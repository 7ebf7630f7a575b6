//! [ssr] The state every handler, middleware and server function shares.
//!
//! Below everything that uses it: it depends on configuration, storage and
//! the types of what it holds (password queue, throttle, client limits,
//! metrics, readiness), and none of those depends on it. The wiring
//! (`startup`) builds it; server functions read it from the Leptos
//! context with [`app_state`]; middleware get it (or the part they need) as
//! axum state.
use crate::{
    client::ClientLimits,
    config::{SessionPolicy, Settings},
    credentials::password::Hasher,
    credentials::throttle::Throttle,
    db::Db,
    error::AppError,
    health::Draining,
    metrics::Metrics,
    session::store::Store,
};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// What every handler and server function can reach.
///
/// Cloned several times a request (router state, middleware, the Leptos
/// context), so it is one `Arc`: cloning the fields themselves (above all
/// `LeptosOptions`, a dozen strings) took a quarter of the CPU of a cheap
/// request.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub settings: Arc<Settings>,
    pub db: Db,
    pub hasher: Hasher,
    pub throttle: Throttle,
    pub session_policy: SessionPolicy,
    pub client_limits: ClientLimits,
    /// The session store, for readiness checks.
    pub store: Store,
    /// `None` unless `METRICS_ADDR` is set: nothing is recorded then.
    pub metrics: Option<Arc<Metrics>>,
    pub draining: Draining,
    /// The passkeys' relying party (`PUBLIC_URL`).
    pub webauthn: Arc<webauthn_rs::Webauthn>,
}

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// leptos_axum reads the options from the router state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state of the current request, from a server function or component.
pub fn app_state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Internal
    })
}
