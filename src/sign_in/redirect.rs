//! Where to go after login: the `next` parameter, same-site paths only.

/// Where a login lands when `next` is missing or refused.
pub const DEFAULT_NEXT: &str = "/profile";

/// `next` if it is a path on this site, else `/profile`.
///
/// Only `/`-rooted relative paths are honoured. Refused: scheme-relative
/// `//host`, `/\host` (browsers read `\` as `/`), absolute URLs of any scheme,
/// and anything but visible ASCII: browsers strip or reinterpret control
/// characters and whitespace before resolving, and a `Location` header holds
/// only visible ASCII (browsers send paths percent-encoded anyway).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(next) if is_local_path(next) => next.to_owned(),
        _ => DEFAULT_NEXT.to_owned(),
    }
}

fn is_local_path(next: &str) -> bool {
    let bytes = next.as_bytes();
    bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
        && next.len() <= 2048
}

/// `/login?next=<path>` for a page that needs a signed-in user.
pub fn login_url(path: &str) -> String {
    let encoded: String =
        percent_encoding::utf8_percent_encode(path, percent_encoding::NON_ALPHANUMERIC).to_string();
    format!("/login?next={encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_same_site_path_is_kept() {
        for ok in ["/", "/users", "/users?page=2", "/profile#top", "/a/b/c"] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
    }

    #[test]
    fn next_pointing_off_site_is_ignored() {
        let attempts = [
            "https://evil.example",
            "http://evil.example/profile",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            " /evil",
            "javascript:alert(1)",
            "data:text/html,hi",
            "evil.example",
            "",
            "/é",
            "/a b",
            "/a\\b",
        ];
        for bad in attempts {
            assert_eq!(safe_next(Some(bad)), DEFAULT_NEXT, "{bad:?}");
        }
        assert_eq!(safe_next(None), DEFAULT_NEXT);
    }

    #[test]
    fn the_login_url_encodes_the_path() {
        assert_eq!(login_url("/profile"), "/login?next=%2Fprofile");
        assert_eq!(
            login_url("/users?page=2"),
            "/login?next=%2Fusers%3Fpage%3D2"
        );
    }
}
