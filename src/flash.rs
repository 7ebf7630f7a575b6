//! [ssr] The error of a form post made by the islands router, carried to
//! the page it lands on in a short-lived cookie instead of the URL; and no
//! stray `?` at the end of the URL it lands on.
//!
//! A server function answers a form post that failed with a redirect back
//! to the form, with the error in the URL (`?__path=…&__err=…`): that is
//! how the page shows it without JavaScript, and it stays so. With
//! JavaScript, the islands router makes the post and puts the URL it landed
//! on in the address bar: the error would stay in the history, a bookmark,
//! a reload. For those posts (the router marks them `Islands-Router`) the
//! redirect goes to the clean URL and the error rides along in an
//! `HttpOnly` cookie; the next page request of the router (the redirect
//! being followed) puts it back into the URL the app renders, and clears
//! the cookie. The error is shown only in the app's own words either way
//! (`AppError::with_own_text`): the cookie carries nothing a URL could not.
use axum::{
    extract::{Request, State},
    http::{header, HeaderValue, Method, Uri},
    middleware::Next,
    response::Response,
};

const COOKIE: &str = "sesame_form_error";
/// The header Leptos' islands router sends with every request it makes.
const ROUTER: &str = "islands-router";
/// The query parameters of a server function's error.
const ERROR_PARAMS: [&str; 2] = ["__path", "__err"];

/// `secure`: `COOKIE_SECURE`, for the cookie's `Secure` flag.
pub async fn carry_errors(State(secure): State<bool>, req: Request, next: Next) -> Response {
    if !req.headers().contains_key(ROUTER) {
        return next.run(req).await;
    }
    if req.method() == Method::POST && req.uri().path().starts_with("/api/") {
        let mut res = next.run(req).await;
        move_to_cookie(&mut res, secure);
        return res;
    }
    let carried = (req.method() == Method::GET)
        .then(|| carried_error(req.headers()))
        .flatten();
    let Some(carried) = carried else {
        return next.run(req).await;
    };
    let (mut parts, body) = req.into_parts();
    if let Some(uri) = with_query(&parts.uri, &carried) {
        parts.uri = uri;
    }
    let mut res = next.run(Request::from_parts(parts, body)).await;
    res.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static(if secure {
            "sesame_form_error=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure"
        } else {
            "sesame_form_error=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
        }),
    );
    res
}

/// A redirect with an error in its `Location` goes to the same URL without
/// it, and sets the cookie to the error's parameters. (A `Location` ending
/// in an empty query, as a server function's redirect to the form can,
/// loses the `?` too: it would show in the address bar.)
fn move_to_cookie(res: &mut Response, secure: bool) {
    if !res.status().is_redirection() {
        return;
    }
    let Some(location) = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
    else {
        return;
    };
    let Some((path, query)) = location.split_once('?') else {
        return;
    };
    if query.is_empty() {
        if let Ok(location) = HeaderValue::from_str(path) {
            res.headers_mut().insert(header::LOCATION, location);
        }
        return;
    }
    let (error, rest): (Vec<&str>, Vec<&str>) = query
        .split('&')
        .partition(|pair| ERROR_PARAMS.contains(&pair.split('=').next().unwrap_or_default()));
    if error.is_empty() {
        return;
    }
    let error = error.join("&");
    let location = if rest.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", rest.join("&"))
    };
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!("{COOKIE}={error}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax{secure}");
    // Both are made of the Location's own characters; a value a header
    // cannot hold leaves the redirect as it was.
    if let (Ok(location), Ok(cookie), true) = (
        HeaderValue::from_str(&location),
        HeaderValue::from_str(&cookie),
        error.bytes().all(is_cookie_octet),
    ) {
        res.headers_mut().insert(header::LOCATION, location);
        res.headers_mut().append(header::SET_COOKIE, cookie);
    }
}

/// The error parameters the cookie carries, if any (and well formed).
fn carried_error(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|value| {
            !value.is_empty()
                && value.bytes().all(is_cookie_octet)
                && value
                    .split('&')
                    .all(|pair| ERROR_PARAMS.contains(&pair.split('=').next().unwrap_or_default()))
        })
}

/// `uri` with the carried parameters added to its query.
fn with_query(uri: &Uri, carried: &str) -> Option<Uri> {
    let path_and_query = match uri.query() {
        Some(query) if !query.is_empty() => format!("{}?{query}&{carried}", uri.path()),
        _ => format!("{}?{carried}", uri.path()),
    };
    path_and_query.parse().ok()
}

/// RFC 6265's cookie-octet: printable ASCII but `"`, `,`, `;` and `\`.
fn is_cookie_octet(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{body::Body, http::StatusCode};

    fn redirect(location: &str) -> Response {
        Response::builder()
            .status(StatusCode::FOUND)
            .header(header::LOCATION, location)
            .body(Body::empty())
            .unwrap()
    }

    #[test]
    fn the_error_moves_from_the_location_to_a_cookie_and_back() {
        let mut res = redirect("/login?next=%2Fusers&__path=%2Fapi%2Flogin&__err=eyJl");
        move_to_cookie(&mut res, false);
        assert_eq!(res.headers()[header::LOCATION], "/login?next=%2Fusers");
        let cookie = res.headers()[header::SET_COOKIE].to_str().unwrap();
        assert!(cookie.starts_with("sesame_form_error=__path=%2Fapi%2Flogin&__err=eyJl;"));
        assert!(cookie.contains("HttpOnly"));
        assert!(!cookie.contains("Secure"));
        let mut res = redirect("/login?__path=%2Fapi%2Flogin&__err=eyJl");
        move_to_cookie(&mut res, true);
        let cookie = res.headers()[header::SET_COOKIE].to_str().unwrap();
        assert!(cookie.ends_with("; Secure"), "{cookie}");

        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; sesame_form_error=__path=%2Fapi%2Flogin&__err=eyJl"),
        );
        let carried = carried_error(&headers).unwrap();
        let uri = with_query(&"/login?next=%2Fusers".parse().unwrap(), &carried).unwrap();
        assert_eq!(uri, "/login?next=%2Fusers&__path=%2Fapi%2Flogin&__err=eyJl");
    }

    #[test]
    fn an_empty_query_goes() {
        let mut res = redirect("http://localhost:3000/session?");
        move_to_cookie(&mut res, false);
        assert_eq!(
            res.headers()[header::LOCATION],
            "http://localhost:3000/session"
        );
        assert!(res.headers().get(header::SET_COOKIE).is_none());
    }

    #[test]
    fn other_redirects_and_other_cookies_are_left_alone() {
        let mut res = redirect("/profile?tab=1");
        move_to_cookie(&mut res, false);
        assert_eq!(res.headers()[header::LOCATION], "/profile?tab=1");
        assert!(res.headers().get(header::SET_COOKIE).is_none());

        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("sesame_form_error=next=/evil"),
        );
        assert_eq!(carried_error(&headers), None);
    }
}
