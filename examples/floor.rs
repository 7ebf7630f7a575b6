//! The floor for bench/compare: the cheapest session read this machine can
//! do over HTTP. A cookie is looked up in an in-memory map and a tiny JSON
//! answered; no signing, no store, no database, no rendering. Whatever
//! sesame does on top of this is what it costs.
//!
//! `cargo build --release --example floor --features ssr`, then
//! `target/release/examples/floor 127.0.0.1:PORT`.
use axum::{
    http::{header, HeaderMap},
    routing::{get, post},
    Json, Router,
};
use std::{collections::HashMap, sync::Arc};

#[derive(Clone, serde::Serialize)]
struct User {
    id: i64,
    username: String,
    email: String,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3999".to_owned());
    // One session, "sid=floor", as bench/compare uses it.
    let sessions: Arc<HashMap<String, User>> = Arc::new(HashMap::from([(
        "floor".to_owned(),
        User {
            id: 1,
            username: "benchuser".to_owned(),
            email: "bench@example.com".to_owned(),
        },
    )]));
    let lookup = move |headers: HeaderMap| {
        let sessions = sessions.clone();
        async move {
            let sid = headers
                .get(header::COOKIE)
                .and_then(|v| v.to_str().ok())
                .and_then(|c| c.split("; ").find_map(|kv| kv.strip_prefix("sid=")));
            Json(sid.and_then(|sid| sessions.get(sid).cloned()))
        }
    };
    let app = Router::new()
        .route("/api/current_user", post(lookup))
        .route("/", get(|| async { "You are not logged in!" }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await
}
