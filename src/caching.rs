//! [ssr] How long browsers and caches may keep each response.
//!
//! - `/pkg/<name>.<hash>.<ext>` (cargo-leptos `hash-files`): a year,
//!   `immutable`. A new build has new names, and pages are never cached,
//!   so a browser never runs an old WASM against a new server.
//! - Pages: `no-cache`: kept, but asked for again every time (they hold
//!   who is signed in and a fresh CSP nonce).
//! - Server functions: `no-store`: their answers are one user's data.
//! - Any other file (`/favicon.svg`, unhashed `/pkg` files of a dev
//!   build): `no-cache`, revalidated with `Last-Modified`.
//!
//! Files are served precompressed (`.br`, `.gz` beside them, written by
//! `cargo leptos build --precompress`) by the type of encoding the client
//! accepts, so they also say `Vary: Accept-Encoding`. Pages are compressed
//! as they stream out ([`compress_pages`]).
use axum::{
    extract::Request,
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
    Router,
};
use tower_http::compression::{CompressionLayer, CompressionLevel};

/// Compresses pages (brotli, else gzip) as they stream out, and the
/// islands router's script (built into the binary, so not precompressed;
/// a browser fetches it once). Brotli's level 4: most of level 11's gain
/// at a small fraction of its time. Not files (precompressed) nor server
/// functions (small JSON). A response that already names its encoding
/// is left alone, which is how `/how-it-works` stays uncompressed (see
/// `how_it_works::api`): compressing a secret next to text an attacker
/// chooses leaks the secret through the length (BREACH). Other pages show
/// no secret: the CSP nonce changes with every response.
pub fn compress_pages(router: Router) -> Router {
    let only_pages = |_, _, headers: &http::HeaderMap, _: &http::Extensions| {
        headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html") || v.starts_with("text/javascript"))
    };
    router.layer(
        CompressionLayer::new()
            .quality(CompressionLevel::Precise(4))
            .compress_when(only_pages),
    )
}

const YEAR_IMMUTABLE: &str = "public, max-age=31536000, immutable";

pub async fn cache_control(req: Request, next: Next) -> Response {
    // What the path says, read before the request moves on: every request
    // passes here, so no copy of the path.
    let path = req.uri().path();
    let is_api = path.starts_with("/api/");
    let is_hashed_file = path.starts_with("/pkg/") && is_hashed(path);
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    if headers.contains_key(header::CACHE_CONTROL) {
        return res;
    }
    let is_page = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let policy = if is_api {
        "no-store"
    } else if is_page {
        "no-cache"
    } else {
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
        if res.status().is_success() && is_hashed_file {
            YEAR_IMMUTABLE
        } else {
            "no-cache"
        }
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    res
}

/// `name.<hash>.ext`: the hash as cargo-leptos writes it (an MD5 in
/// unpadded URL-safe base64, 22 characters) or as `islands::router_path`
/// does (16 hex digits).
fn is_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let parts: Vec<&str> = file.split('.').collect();
    parts.len() >= 3
        && (parts[1].len() == 22 || parts[1].len() == 16)
        && parts[1]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn only_hashed_names_are_immutable() {
        assert!(is_hashed("/pkg/sesame.Xk3_9aQ-ZmV0b2tlbjEyMw.wasm"));
        assert!(is_hashed("/pkg/islands-router.0123456789abcdef.js"));
        assert!(!is_hashed("/pkg/sesame.wasm"));
        assert!(!is_hashed("/pkg/sesame_bg.wasm"));
        assert!(!is_hashed("/pkg/sesame.short.js"));
        assert!(!is_hashed("/pkg/sesame.Xk3_9aQ+ZmV0b2tlbjEyMw.wasm"));
    }
}
