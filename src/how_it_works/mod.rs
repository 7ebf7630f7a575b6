//! `/how-it-works`: what this browser holds and what the server stores for
//! it, drawn as a picture. Shared by both builds: the types the server
//! function answers with, and the picture's lines.
pub mod api;

use crate::users::Account;
use serde::{Deserialize, Serialize};

/// Everything the picture shows. Nothing secret: the session cookie's
/// value and the stored key are cut short, and there is no password hash,
/// session token or signing key in it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Picture {
    /// The cookies this browser sent with this request.
    pub cookies: Vec<BrowserCookie>,
    /// The stored session for the session cookie's id, if there is one.
    pub stored: Option<Stored>,
    /// The `Set-Cookie` lines that give this browser the cookies it holds
    /// now, recomputed from what the server knows (the server keeps no copy
    /// of the headers it sent).
    pub set_cookies: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BrowserCookie {
    pub name: String,
    /// As shown: the session cookie masked (`Ab3x…`), the demo cookie
    /// decoded.
    pub value: String,
    /// How the server set it: `HttpOnly · SameSite=Lax · Path=/ · …`.
    pub attributes: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stored {
    /// The start of the key the session is stored under (SHA-256 of the id).
    pub key: String,
    pub expires_at: String,
    pub remember: bool,
    /// The signed-in user's `users` row, as the app shows an account:
    /// without its password hash and session token.
    pub user: Option<Account>,
    pub note: Option<String>,
}

/// One line of text in the picture, and how it is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub class: &'static str,
    pub text: String,
}

/// How many columns a line may take: the picture is 360 units wide, text
/// starts at 24, and a column of the diagram's monospace text at 11 px is
/// 6.6 units (50 × 6.6 = 330). Longer values are cut with `…`.
pub const LINE_WIDTH: usize = 50;

/// Columns a character takes, erring wide: one for ASCII, two for anything
/// else (a CJK character or an emoji is two columns; an arrow is one, but
/// may fall back to a wider font).
fn columns(c: char) -> usize {
    if c.is_ascii() {
        1
    } else {
        2
    }
}

pub fn width(text: &str) -> usize {
    text.chars().map(columns).sum()
}

fn line(class: &'static str, text: impl Into<String>) -> Line {
    let text: String = text.into();
    if width(&text) <= LINE_WIDTH {
        return Line { class, text };
    }
    let mut cut = String::new();
    let mut used = columns('…');
    for c in text.chars() {
        if used + columns(c) > LINE_WIDTH {
            break;
        }
        used += columns(c);
        cut.push(c);
    }
    cut.push('…');
    Line { class, text: cut }
}

/// `items` joined with `sep`, packed greedily into lines that fit; the
/// lines after the first are indented.
fn wrapped(class: &'static str, items: &[&str], sep: &str) -> Vec<Line> {
    let mut lines: Vec<String> = Vec::new();
    for item in items {
        match lines.last_mut() {
            Some(last) if width(last) + width(sep) + width(item) <= LINE_WIDTH => {
                last.push_str(sep);
                last.push_str(item);
            }
            Some(_) => lines.push(format!("  {item}")),
            None => lines.push((*item).to_owned()),
        }
    }
    lines.into_iter().map(|text| line(class, text)).collect()
}

/// The picture's four parts, top to bottom.
pub struct Parts {
    pub browser: Vec<Line>,
    pub request: Vec<Line>,
    pub response: Vec<Line>,
    pub server: Vec<Line>,
}

impl Picture {
    pub fn parts(&self) -> Parts {
        let mut browser = vec![line("hiw-head", "Browser (cookies it sent)")];
        if self.cookies.is_empty() {
            browser.push(line("hiw-text", "No cookies: nothing has been set here."));
        }
        for cookie in &self.cookies {
            browser.push(line(
                "hiw-text",
                format!("{} = {}", cookie.name, cookie.value),
            ));
            let attributes: Vec<&str> = cookie.attributes.split(" · ").collect();
            browser.extend(wrapped("hiw-small", &attributes, " · "));
        }
        let request = if self.cookies.is_empty() {
            vec![line("hiw-small", "↓ request: no Cookie header")]
        } else {
            let sent: Vec<String> = self
                .cookies
                .iter()
                .map(|c| format!("{}={}", c.name, c.value))
                .collect();
            vec![
                line("hiw-small", "↓ request header"),
                line("hiw-small", format!("Cookie: {}", sent.join("; "))),
            ]
        };
        let mut response = vec![line("hiw-small", "↑ response headers (Set-Cookie)")];
        if self.set_cookies.is_empty() {
            response.push(line("hiw-small", "none: no cookie to give"));
        }
        for set in &self.set_cookies {
            let set = format!("Set-Cookie: {set}");
            let pieces: Vec<&str> = set.split("; ").collect();
            response.extend(wrapped("hiw-small", &pieces, "; "));
        }
        let mut server = vec![line("hiw-head", "Server (what it stores)")];
        match &self.stored {
            None => server.push(line("hiw-text", "No session stored for this browser.")),
            Some(stored) => {
                server.push(line(
                    "hiw-text",
                    format!("session under key {}", stored.key),
                ));
                server.push(line("hiw-small", format!("expires {}", stored.expires_at)));
                match &stored.user {
                    Some(user) => server.push(line(
                        "hiw-text",
                        format!("user → id {}, {}", user.id, user.username),
                    )),
                    None => server.push(line("hiw-text", "user → (not signed in)")),
                }
                match &stored.note {
                    Some(note) => server.push(line("hiw-text", format!("note → {note}"))),
                    None => server.push(line("hiw-text", "note → (none)")),
                }
                if let Some(user) = &stored.user {
                    let id = format!("users row: {}", user.id);
                    server.extend(wrapped(
                        "hiw-small",
                        &[&id, &user.username, &user.email],
                        " · ",
                    ));
                }
            }
        }
        Parts {
            browser,
            request,
            response,
            server,
        }
    }
}

/// The session cookie's value as the page shows it: enough to tell two
/// apart, too little to use.
pub fn mask(value: &str) -> String {
    let start: String = value.chars().take(4).collect();
    format!("{start}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_value_is_cut_to_the_pictures_width() {
        let long = line("hiw-text", "x".repeat(200));
        assert!(width(&long.text) <= LINE_WIDTH);
        assert!(long.text.ends_with('…'));
        assert_eq!(line("hiw-text", "short").text, "short");
        // Wide characters count double.
        let wide = line("hiw-text", "日本語".repeat(20));
        assert!(width(&wide.text) <= LINE_WIDTH, "{}", wide.text);
        assert_eq!(
            wide.text.chars().count(),
            24 + 1,
            "24 wide characters and the ellipsis"
        );
    }

    #[test]
    fn a_long_header_wraps_at_its_separators() {
        let lines = wrapped(
            "hiw-small",
            &[
                "Set-Cookie: __Host-sesame_session=AbCd…",
                "HttpOnly",
                "SameSite=Lax",
                "Path=/",
                "Secure",
                "Max-Age=604800",
            ],
            "; ",
        );
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Set-Cookie: __Host-sesame_session=AbCd…; HttpOnly",
                "  SameSite=Lax; Path=/; Secure; Max-Age=604800",
            ]
        );
        assert!(texts.iter().all(|t| width(t) <= LINE_WIDTH));
    }

    /// Long names move the email to a line of its own, never past the edge.
    #[test]
    fn the_users_row_wraps_with_long_names() {
        let picture = Picture {
            stored: Some(Stored {
                key: "abcdefgh…".into(),
                expires_at: "2026-12-02 04:41:13 UTC".into(),
                remember: false,
                user: Some(Account {
                    id: 12345,
                    username: "user1234567890123".into(),
                    email: "user1234567890123@example.com".into(),
                }),
                note: None,
            }),
            ..Picture::default()
        };
        let server = picture.parts().server;
        let texts: Vec<&str> = server.iter().map(|l| l.text.as_str()).collect();
        assert!(
            texts.contains(&"users row: 12345 · user1234567890123"),
            "{texts:?}"
        );
        assert!(
            texts.contains(&"  user1234567890123@example.com"),
            "{texts:?}"
        );
        assert!(texts.iter().all(|t| width(t) <= LINE_WIDTH));
        // Nothing of the row was cut.
        assert!(texts
            .iter()
            .filter(|t| t.contains("user1234567890123"))
            .all(|t| !t.ends_with('…')));
    }

    #[test]
    fn a_masked_id_keeps_four_characters() {
        assert_eq!(mask("AbCdEfGh"), "AbCd…");
        assert_eq!(mask("ab"), "ab…");
    }

    #[test]
    fn an_empty_browser_says_so() {
        let parts = Picture::default().parts();
        assert!(parts
            .browser
            .iter()
            .any(|l| l.text.starts_with("No cookies")));
        assert!(parts
            .server
            .iter()
            .any(|l| l.text.starts_with("No session")));
    }
}
