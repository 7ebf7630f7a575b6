//! [ssr] The guard in front of every server function (`/api/...`): CSRF
//! origin check, body limit, form-body validation; and, inside the session
//! layer, the status of every server-function error.
use crate::error::AppError;
use axum::{
    body::Body,
    extract::Request,
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::server_fn::error::ServerFnErrorErr;

/// Largest body a server function accepts; bigger ones get 413.
const API_BODY_LIMIT: usize = 16 * 1024;

/// Guards every server function (`/api/...`).
///
/// - Refuses cross-site requests (CSRF): a browser always sends `Origin` on a
///   cross-origin POST, and `Sec-Fetch-Site` where it knows it.
/// - Caps the body, so a huge field can't tie up the server.
pub async fn api_guard(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    if req.method() != Method::GET && is_cross_site(&req) {
        return AppError::Forbidden.into_response_with_status();
    }
    let too_big = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|len| len > API_BODY_LIMIT);
    if too_big {
        return (StatusCode::PAYLOAD_TOO_LARGE, "Request body too large.").into_response();
    }
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, API_BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(err) => return unreadable_body(err),
    };
    if !body.is_empty() && !is_form(&parts.headers) {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Server functions take application/x-www-form-urlencoded bodies.",
        )
            .into_response();
    }
    if let Some(problem) = form_problem(&body) {
        return AppError::ServerFn(ServerFnErrorErr::Args(problem.to_owned()))
            .into_response_with_status();
    }
    next.run(Request::from_parts(parts, Body::from(body))).await
}

/// Middleware, just inside the session layer: a server function's `Err`
/// leaves with its own status (and `Retry-After`), so server functions use
/// plain `?`.
///
/// Leptos answers every `Err` with 500 and the error encoded in the body,
/// and the session layer drops the session's changes on a 5xx: a wrong
/// password would lose the note the session holds. This reads the body of
/// a server function's 500 back as an [`AppError`] and gives the response
/// that error's status before the session layer sees it. A plain form post
/// (JavaScript off) is a redirect back to the form, not a 500, and is left
/// alone. Only a 500 from `/api/` is read, so no other response pays.
pub async fn error_status(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !is_api || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(err.status()) {
            parts.status = status;
        }
        if let Some(seconds) = err.retry_after() {
            parts.headers.insert(header::RETRY_AFTER, seconds.into());
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Why a body could not be read: too big (413), too slow (408), or cut off.
fn unreadable_body(err: axum::Error) -> Response {
    let err = err.into_inner();
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err.as_ref());
    while let Some(e) = cause {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return (
                StatusCode::REQUEST_TIMEOUT,
                "The request body arrived too slowly.",
            )
                .into_response();
        }
        if e.is::<http_body_util::LengthLimitError>() {
            break;
        }
        cause = e.source();
    }
    if cause.is_some() {
        return (StatusCode::PAYLOAD_TOO_LARGE, "Request body too large.").into_response();
    }
    (
        StatusCode::BAD_REQUEST,
        "The request body could not be read.",
    )
        .into_response()
}

fn is_form(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// What is wrong with a form body, if anything: what a browser would never
/// send. Leptos decodes leniently (bad bytes become U+FFFD, a stray `%`
/// stays, the last of two equal keys wins), which would act on something
/// the person never typed; such a body is refused instead.
pub fn form_problem(body: &[u8]) -> Option<&'static str> {
    if body.iter().any(|b| b.is_ascii_control()) {
        return Some("the form body has raw control characters");
    }
    // Browsers percent-encode everything outside ASCII; a raw byte may even
    // complete a %-escape into a character no one sent (found by fuzzing).
    if !body.is_ascii() {
        return Some("the form body has raw bytes outside ASCII");
    }
    let mut keys = std::collections::HashSet::new();
    for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let bad_escape = pair.iter().enumerate().any(|(i, &b)| {
            b == b'%'
                && !(pair.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && pair.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
        });
        if bad_escape {
            return Some("the form body has an invalid percent-encoding");
        }
        let decode = |part: &[u8]| {
            let spaced: Vec<u8> = part
                .iter()
                .map(|&b| if b == b'+' { b' ' } else { b })
                .collect();
            percent_encoding::percent_decode(&spaced)
                .decode_utf8()
                .map(|s| s.into_owned())
        };
        let mut halves = pair.splitn(2, |&b| b == b'=');
        let key = halves.next().unwrap_or_default();
        let (Ok(key), Ok(_)) = (decode(key), decode(halves.next().unwrap_or_default())) else {
            return Some("the form body is not valid UTF-8");
        };
        if !keys.insert(key) {
            return Some("the form body has a field twice");
        }
    }
    None
}

fn is_cross_site(req: &Request) -> bool {
    let headers = req.headers();
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
    {
        return true;
    }
    // HTTP/1.1 names the site in `Host`; HTTP/2 in the `:authority`
    // pseudo-header, which hyper puts in the URI (and there is no `Host`).
    let authority = headers.get(header::HOST).cloned().or_else(|| {
        req.uri()
            .authority()
            .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
    });
    match (headers.get(header::ORIGIN), authority) {
        (Some(origin), Some(host)) => !origin_matches_host(origin, &host),
        // An Origin with no authority to compare against can't be trusted.
        (Some(_), None) => true,
        // No Origin: not a browser's cross-origin request (browsers send it on
        // every cross-origin POST); SameSite=Lax covers old browsers.
        (None, _) => false,
    }
}

fn origin_matches_host(origin: &HeaderValue, host: &HeaderValue) -> bool {
    let (Ok(origin), Ok(host)) = (origin.to_str(), host.to_str()) else {
        return false;
    };
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    authority.is_some_and(|a| a.eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_on_the_same_host_is_same_site() {
        let host = HeaderValue::from_static("127.0.0.1:3000");
        assert!(origin_matches_host(
            &HeaderValue::from_static("http://127.0.0.1:3000"),
            &host
        ));
        assert!(!origin_matches_host(
            &HeaderValue::from_static("http://evil.example"),
            &host
        ));
        assert!(!origin_matches_host(
            &HeaderValue::from_static("null"),
            &host
        ));
        assert!(!origin_matches_host(
            &HeaderValue::from_static("http://127.0.0.1:3000.evil"),
            &host
        ));
    }

    #[test]
    fn a_form_body_a_browser_would_not_send_is_refused() {
        let fine: [&[u8]; 4] = [
            b"name=J%C3%B6rg+x&b=",
            b"",
            b"a=%00&b=%2525",
            b"remember=on",
        ];
        for body in fine {
            assert_eq!(
                form_problem(body),
                None,
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
        let refused: [&[u8]; 11] = [
            b"note=w%C3\xA6",
            "note=J\u{f6}rg".as_bytes(),
            b"name=%FF%FE",
            b"na%C3me=x",
            b"a=\xFF",
            b"a=%ZZ",
            b"a=100%",
            b"a=%4",
            b"a=x\0y",
            b"a=1\n",
            b"username=a&username=b",
        ];
        for body in refused {
            assert!(
                form_problem(body).is_some(),
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
