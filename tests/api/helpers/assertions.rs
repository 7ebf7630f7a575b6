//! What a response says: its cookies, its redirect, its error.
use reqwest::{header, Response};
pub use sesame::error::AppError;

pub fn set_cookies(res: &Response) -> Vec<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect()
}

/// The session's Set-Cookie line (`sesame_session`, or
/// `__Host-sesame_session` with `COOKIE_SECURE`), if the response has one.
pub fn session_cookie(res: &Response) -> Option<String> {
    set_cookies(res)
        .into_iter()
        .find(|c| c.starts_with("sesame_session=") || c.starts_with("__Host-sesame_session="))
}

/// Just `name=value` of a Set-Cookie line, to replay it by hand.
pub fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or_default().to_owned()
}

pub fn location(res: &Response) -> Option<String> {
    res.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Asserts that `res` is `expected` as the server sends an error: its
/// status, and a body that names its kind and says its message.
pub async fn assert_error(res: Response, status: u16, expected: AppError) -> serde_json::Value {
    let url = res.url().to_string();
    assert_eq!(res.status(), status, "{url}");
    let body: serde_json::Value = res.json().await.expect("a JSON error body");
    assert_eq!(body["error"], expected.kind(), "{url}: {body}");
    assert_eq!(body["message"], expected.to_string(), "{url}: {body}");
    body
}
