//! [ssr] Where a request comes from, as the devices and activity pages
//! show it: the client's address and the browser's description of itself.

/// Where a session signs in from.
pub struct Origin {
    pub ip: String,
    pub user_agent: String,
}

/// Where the current request comes from: the client's address (the peer,
/// or what a trusted proxy says; see `crate::client`) and the browser's own
/// description of itself.
pub fn current() -> Origin {
    let parts = leptos::prelude::use_context::<http::request::Parts>();
    let ip = parts
        .as_ref()
        .and_then(|p| p.extensions.get::<super::ClientIp>())
        .map(|client| client.0.to_string())
        .unwrap_or_else(|| "unknown".to_owned());
    let user_agent = parts
        .as_ref()
        .and_then(|p| p.headers.get(http::header::USER_AGENT))
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    Origin { ip, user_agent }
}

/// "Firefox on Linux": [`describe`] without the version, so that a browser
/// update is not a new device.
pub fn family(user_agent: &str) -> String {
    match woothee::parser::Parser::new().parse(user_agent) {
        Some(ua) => format!("{} on {}", ua.name, ua.os),
        None => "UNKNOWN on UNKNOWN".to_owned(),
    }
}

/// "Firefox 128 on Linux" from a user agent, or what is known of it.
pub fn describe(user_agent: &str) -> String {
    match woothee::parser::Parser::new().parse(user_agent) {
        Some(ua) => {
            let browser = if ua.name == "UNKNOWN" {
                "Unknown browser"
            } else {
                ua.name
            };
            let version = ua.version.split('.').next().unwrap_or_default();
            let os = if ua.os == "UNKNOWN" {
                "an unknown system"
            } else {
                ua.os
            };
            if version.is_empty() || version == "UNKNOWN" {
                format!("{browser} on {os}")
            } else {
                format!("{browser} {version} on {os}")
            }
        }
        None => "Unknown browser".to_owned(),
    }
}
