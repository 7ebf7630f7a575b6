//! The one error type of sesame, shared by both builds.
//!
//! `Display` is the exact text a person sees (the contract's strings live here,
//! once); `status()` is the HTTP status it leaves the server with.
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// Every problem a form field can show: a closed list, written once here.
/// An error read back (from a response, a flash cookie) names one of these
/// by its text, or becomes [`Problem::Unknown`]: never a stranger's words
/// on our page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::Display, strum::EnumString, strum::EnumIter)]
pub enum Problem {
    #[strum(serialize = "Username must be 3–32 characters: letters, digits, '_', '.' or '-'.")]
    Username,
    #[strum(serialize = "Enter a valid email address (at most 254 bytes).")]
    Email,
    #[strum(serialize = "Password must be 8–128 characters.")]
    Password,
    #[strum(serialize = "That username is taken.")]
    UsernameTaken,
    #[strum(serialize = "That email is already registered.")]
    EmailTaken,
    #[strum(serialize = "That is not your current password.")]
    NotCurrentPassword,
    #[strum(serialize = "That is not your password.")]
    NotYourPassword,
    #[strum(serialize = "Invalid authentication code.")]
    InvalidCode,
    #[strum(serialize = "Enter a code from your app.")]
    CodeMissing,
    #[strum(serialize = "Two-factor authentication is already on.")]
    TwoFactorOn,
    #[strum(serialize = "Two-factor authentication is not on.")]
    TwoFactorOff,
    #[strum(serialize = "A passkey name is at most 64 characters.")]
    PasskeyNameTooLong,
    #[strum(serialize = "A passkey name cannot contain control characters.")]
    PasskeyNameControl,
    #[strum(serialize = "This is the session you are using; log out instead.")]
    ThisSession,
    #[strum(serialize = "Note must be 1–200 characters.")]
    Note,
    #[strum(serialize = "Name must be 1–64 characters.")]
    CookieNameLength,
    #[strum(serialize = "Name must not contain control characters.")]
    CookieNameControl,
    #[strum(serialize = "Page numbers start at 1.")]
    PageFrom1,
    #[strum(serialize = "The page must be a number.")]
    PageNotNumber,
    /// What a message that is none of the above is shown as.
    #[strum(serialize = "Please check this field.")]
    Unknown,
}

impl Serialize for Problem {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Problem {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(text.parse().unwrap_or(Problem::Unknown))
    }
}

/// A problem tied to one form field, shown next to that field. On the wire
/// `{"field": …, "message": <the problem's text>}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    #[serde(rename = "message")]
    pub problem: Problem,
}

/// Every field that failed validation, in form order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn single(field: &str, problem: Problem) -> Self {
        Self(vec![FieldError {
            field: field.to_owned(),
            problem,
        }])
    }

    pub fn push(&mut self, field: &str, problem: Problem) {
        self.0.push(FieldError {
            field: field.to_owned(),
            problem,
        });
    }

    /// Orders the messages as the fields appear in the form.
    pub fn sort_by_form_order(&mut self, fields: &[&str]) {
        self.0.sort_by_key(|e| {
            fields
                .iter()
                .position(|f| *f == e.field)
                .unwrap_or(usize::MAX)
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problem with `field`, if it failed.
    pub fn get(&self, field: &str) -> Option<Problem> {
        self.0.iter().find(|e| e.field == field).map(|e| e.problem)
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let messages: Vec<String> = self.0.iter().map(|e| e.problem.to_string()).collect();
        f.write_str(&messages.join(" "))
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AppError {
    #[error("Invalid username or password.")]
    InvalidCredentials,
    #[error("{0}")]
    Validation(FieldErrors),
    #[error("You need to log in first.")]
    Unauthorized,
    #[error("This request came from another site and was refused.")]
    Forbidden,
    #[error("Too many failed logins. Please wait and try again later.")]
    TooManyAttempts,
    /// One client (address) sent more than its share; seconds to wait.
    #[error("Too many requests from your address. Please try again in {0} seconds.")]
    RateLimited(u64),
    /// The password threads have a full queue; nothing was done.
    #[error("The server is busy. Please try again in a moment.")]
    Busy,
    #[error("Page not found.")]
    NotFound,
    /// The password was right and two-factor is on: the code comes next.
    #[error("Enter the authentication code from your app to finish signing in.")]
    SecondFactorRequired,
    /// A second step with no first step in this session, or a stale one.
    #[error("Your sign-in expired or was not started in this browser. Please log in again.")]
    SignInExpired,
    /// A sensitive change without a recent sign-in proof in this session.
    #[error("Confirm it is you first (your password or a passkey): this change needs a sign-in from the last few minutes.")]
    ReauthRequired,
    /// A passkey answer with no ceremony waiting for it in this session:
    /// never started, expired, or answered already (a replay).
    #[error("No passkey request is waiting in this browser, or it expired. Please try again.")]
    PasskeyNotStarted,
    /// A passkey answer that is malformed, for another challenge, or whose
    /// signature does not verify.
    #[error("The passkey's answer was not accepted. Please try again.")]
    PasskeyRejected,
    /// A sign-in with a passkey sesame does not know (removed, or another site's).
    #[error("This passkey is not registered here (it may have been removed). Log in with your password.")]
    PasskeyUnknown,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The database or session store can't be reached; nothing was lost.
    #[error("The service is briefly unavailable. Please try again in a moment.")]
    Unavailable,
    /// The request never reached our code: bad body, unknown endpoint, ...
    #[error("Bad request: {0}")]
    ServerFn(ServerFnErrorErr),
}

impl AppError {
    pub fn field(field: &str, problem: Problem) -> Self {
        Self::Validation(FieldErrors::single(field, problem))
    }

    /// The problem with one form field, if this error is about it.
    pub fn field_problem(&self, field: &str) -> Option<Problem> {
        match self {
            Self::Validation(fields) => fields.get(field),
            _ => None,
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::InvalidCredentials
            | Self::Unauthorized
            | Self::SecondFactorRequired
            | Self::SignInExpired
            | Self::PasskeyUnknown => 401,
            Self::PasskeyNotStarted | Self::PasskeyRejected => 400,
            Self::ReauthRequired => 403,
            Self::Validation(_) => 422,
            Self::Forbidden => 403,
            Self::TooManyAttempts | Self::RateLimited(_) => 429,
            Self::Busy => 503,
            Self::NotFound => 404,
            Self::Internal => 500,
            Self::Unavailable => 503,
            Self::ServerFn(err) => match err {
                ServerFnErrorErr::Registration(_) => 404,
                ServerFnErrorErr::UnsupportedRequestMethod(_) => 405,
                ServerFnErrorErr::Request(_)
                | ServerFnErrorErr::Deserialization(_)
                | ServerFnErrorErr::Args(_)
                | ServerFnErrorErr::MissingArg(_) => 400,
                ServerFnErrorErr::ServerError(_)
                | ServerFnErrorErr::Serialization(_)
                | ServerFnErrorErr::Response(_)
                | ServerFnErrorErr::MiddlewareError(_) => 500,
            },
        }
    }
}

impl AppError {
    /// How long to wait before trying again, for a `Retry-After` header.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::RateLimited(seconds) => Some(*seconds),
            Self::Busy | Self::Unavailable => Some(1),
            _ => None,
        }
    }

    /// The error with only text this app writes itself.
    ///
    /// A form post without JavaScript brings its error back in the URL
    /// (`?__err=…`), and anyone can make such a URL: a link to the real
    /// login page that says "Your account is locked, call +1 …" would be
    /// believed. So an error read back is shown only in words from this
    /// file: a field's problem is one of [`Problem`] already (read back,
    /// any other text became [`Problem::Unknown`]).
    pub fn with_own_text(self) -> Self {
        match self {
            // The detail of a malformed request is free text; its kind is not.
            Self::ServerFn(err) => Self::ServerFn(match err {
                ServerFnErrorErr::Registration(_) => ServerFnErrorErr::Registration(String::new()),
                ServerFnErrorErr::UnsupportedRequestMethod(_) => {
                    ServerFnErrorErr::UnsupportedRequestMethod(String::new())
                }
                ServerFnErrorErr::Request(_) => ServerFnErrorErr::Request(String::new()),
                ServerFnErrorErr::Deserialization(_) => {
                    ServerFnErrorErr::Deserialization(String::new())
                }
                ServerFnErrorErr::Args(_) => ServerFnErrorErr::Args(String::new()),
                ServerFnErrorErr::MissingArg(_) => ServerFnErrorErr::MissingArg(String::new()),
                ServerFnErrorErr::ServerError(_)
                | ServerFnErrorErr::Serialization(_)
                | ServerFnErrorErr::Response(_)
                | ServerFnErrorErr::MiddlewareError(_) => {
                    ServerFnErrorErr::ServerError(String::new())
                }
            }),
            Self::RateLimited(seconds) => Self::RateLimited(seconds.min(3600)),
            other => other,
        }
    }
}

/// An error as it leaves the server, and as the browser reads it back:
/// `{"error":"invalid_credentials","message":"Invalid username or password."}`.
/// `error` is the kind, for code; `message` the text for people (the one
/// `Display` gives); a validation error lists its `fields`, and a request to
/// try again later says after how many seconds in `retry_after` (as the
/// `Retry-After` header does).
#[derive(Serialize, Deserialize)]
struct Wire {
    error: String,
    #[serde(default)]
    message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    fields: Vec<FieldError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
}

impl AppError {
    /// The kind, as the wire calls it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InvalidCredentials => "invalid_credentials",
            Self::Validation(_) => "validation",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::TooManyAttempts => "too_many_attempts",
            Self::RateLimited(_) => "rate_limited",
            Self::Busy => "busy",
            Self::NotFound => "not_found",
            Self::SecondFactorRequired => "second_factor_required",
            Self::SignInExpired => "sign_in_expired",
            Self::ReauthRequired => "reauth_required",
            Self::PasskeyNotStarted => "passkey_not_started",
            Self::PasskeyRejected => "passkey_rejected",
            Self::PasskeyUnknown => "passkey_unknown",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
            Self::ServerFn(err) => match err {
                ServerFnErrorErr::Registration(_) => "unknown_endpoint",
                ServerFnErrorErr::UnsupportedRequestMethod(_) => "method_not_allowed",
                ServerFnErrorErr::Request(_) => "bad_request",
                ServerFnErrorErr::Deserialization(_) => "bad_body",
                ServerFnErrorErr::Args(_) => "bad_arguments",
                ServerFnErrorErr::MissingArg(_) => "missing_argument",
                ServerFnErrorErr::ServerError(_)
                | ServerFnErrorErr::Serialization(_)
                | ServerFnErrorErr::Response(_)
                | ServerFnErrorErr::MiddlewareError(_) => "server_function",
            },
        }
    }

    fn from_wire(wire: Wire) -> Option<Self> {
        // A malformed request's detail is free text the client cannot use;
        // only its kind comes back (`with_own_text` would drop it anyway).
        let detail = String::new;
        Some(match wire.error.as_str() {
            "invalid_credentials" => Self::InvalidCredentials,
            "validation" => Self::Validation(FieldErrors(wire.fields)),
            "unauthorized" => Self::Unauthorized,
            "forbidden" => Self::Forbidden,
            "too_many_attempts" => Self::TooManyAttempts,
            "rate_limited" => Self::RateLimited(wire.retry_after?),
            "busy" => Self::Busy,
            "not_found" => Self::NotFound,
            "second_factor_required" => Self::SecondFactorRequired,
            "sign_in_expired" => Self::SignInExpired,
            "reauth_required" => Self::ReauthRequired,
            "passkey_not_started" => Self::PasskeyNotStarted,
            "passkey_rejected" => Self::PasskeyRejected,
            "passkey_unknown" => Self::PasskeyUnknown,
            "internal" => Self::Internal,
            "unavailable" => Self::Unavailable,
            "unknown_endpoint" => Self::ServerFn(ServerFnErrorErr::Registration(detail())),
            "method_not_allowed" => {
                Self::ServerFn(ServerFnErrorErr::UnsupportedRequestMethod(detail()))
            }
            "bad_request" => Self::ServerFn(ServerFnErrorErr::Request(detail())),
            "bad_body" => Self::ServerFn(ServerFnErrorErr::Deserialization(detail())),
            "bad_arguments" => Self::ServerFn(ServerFnErrorErr::Args(detail())),
            "missing_argument" => Self::ServerFn(ServerFnErrorErr::MissingArg(detail())),
            "server_function" => Self::ServerFn(ServerFnErrorErr::ServerError(detail())),
            _ => return None,
        })
    }
}

impl Serialize for AppError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Wire {
            error: self.kind().to_owned(),
            message: self.to_string(),
            fields: match self {
                Self::Validation(fields) => fields.0.clone(),
                _ => Vec::new(),
            },
            retry_after: self.retry_after(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for AppError {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = Wire::deserialize(deserializer)?;
        let kind = wire.error.clone();
        Self::from_wire(wire)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown error kind {kind:?}")))
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::ServerFn(value)
    }

    /// Every error read back (from a response, or from a URL after a form
    /// post without JavaScript) is shown in the app's own words only.
    fn de(data: leptos::server_fn::Bytes) -> Self {
        use leptos::server_fn::Decodes;
        JsonEncoding::decode(data)
            .unwrap_or_else(|e| Self::ServerFn(ServerFnErrorErr::Deserialization(e.to_string())))
            .with_own_text()
    }
}

#[cfg(feature = "ssr")]
pub use ssr::*;

/// The browser build of `set_page_status`: there is no response to set.
#[cfg(not(feature = "ssr"))]
pub fn set_page_status(_err: &AppError) {}

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;
    use leptos::prelude::use_context;

    /// A page that shows `err` instead of its content answers with the
    /// error's status. A server function's `Err` gets its status from
    /// `api_guard::error_status`; a page that calls one while it renders on
    /// the server says so itself.
    pub fn set_page_status(err: &AppError) {
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
            let status = http::StatusCode::from_u16(err.status())
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
            res.set_status(status);
        }
    }

    /// The full cause goes to the log; the person sees a generic message:
    /// 503 when the database can't be reached (try again), else 500.
    impl From<sqlx::Error> for AppError {
        fn from(err: sqlx::Error) -> Self {
            tracing::error!("database error: {err}");
            let unreachable = match &err {
                sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::Protocol(_)
                | sqlx::Error::WorkerCrashed => true,
                // PostgreSQL's class 57 (operator intervention: shutting
                // down, starting up) and 08 (connection exception).
                sqlx::Error::Database(db) => db
                    .code()
                    .is_some_and(|code| code.starts_with("57") || code.starts_with("08")),
                _ => false,
            };
            if unreachable {
                crate::db::outage::note();
                AppError::Unavailable
            } else {
                AppError::Internal
            }
        }
    }

    /// A session that can't be read or written is an outage of the store,
    /// never "not signed in".
    impl From<tower_sessions::session::Error> for AppError {
        fn from(err: tower_sessions::session::Error) -> Self {
            tracing::error!("session store error: {err}");
            match err {
                tower_sessions::session::Error::Store(_) => {
                    crate::db::outage::note();
                    AppError::Unavailable
                }
                _ => AppError::Internal,
            }
        }
    }

    impl AppError {
        /// The error as a response of its own status, outside Leptos (from
        /// middleware): the server-function JSON encoding, which the app
        /// decodes and shows as its text.
        pub fn into_response_with_status(self) -> axum::response::Response {
            self.into_response_as(false)
        }

        /// The same, or with `text` its message as plain text: what a
        /// browser that asked for a page (a form post without JavaScript,
        /// a page load) can show as it is. `Retry-After` either way.
        pub fn into_response_as(self, text: bool) -> axum::response::Response {
            use axum::response::IntoResponse;
            let status = http::StatusCode::from_u16(self.status())
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
            let mut res = if text {
                (status, self.to_string()).into_response()
            } else {
                let body = serde_json::to_string(&self).unwrap_or_default();
                (
                    status,
                    [(http::header::CONTENT_TYPE, "application/json")],
                    body,
                )
                    .into_response()
            };
            if let Some(seconds) = self.retry_after() {
                res.headers_mut()
                    .insert(http::header::RETRY_AFTER, seconds.into());
            }
            res
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_app_error_maps_to_a_4xx_or_5xx() {
        let all = [
            AppError::InvalidCredentials,
            AppError::field("name", Problem::Unknown),
            AppError::Unauthorized,
            AppError::Forbidden,
            AppError::TooManyAttempts,
            AppError::NotFound,
            AppError::Internal,
            AppError::Unavailable,
            AppError::ServerFn(ServerFnErrorErr::Args("x".into())),
            AppError::ServerFn(ServerFnErrorErr::ServerError("x".into())),
        ];
        for err in all {
            assert!((400..600).contains(&err.status()), "{err:?}");
        }
    }

    #[test]
    fn a_malformed_body_is_a_client_error() {
        for err in [
            ServerFnErrorErr::Args("x".into()),
            ServerFnErrorErr::Deserialization("x".into()),
            ServerFnErrorErr::MissingArg("x".into()),
            ServerFnErrorErr::Request("x".into()),
        ] {
            assert_eq!(AppError::ServerFn(err).status(), 400);
        }
    }

    #[test]
    fn invalid_credentials_use_the_contract_text() {
        assert_eq!(
            AppError::InvalidCredentials.to_string(),
            "Invalid username or password."
        );
    }

    #[test]
    fn an_error_read_back_shows_only_the_apps_own_text() {
        use leptos::server_fn::{Bytes, Encodes};
        let read_back = |err: &AppError| {
            AppError::de(Bytes::from(JsonEncoding::encode(err).unwrap().to_vec())).to_string()
        };
        let foreign = "Your account is locked. Call +1 555 0100 now.";
        // A field message that is none of ours, as anyone can write it.
        let forged = serde_json::json!({
            "error": "validation",
            "message": foreign,
            "fields": [{"field": "username", "message": foreign}],
        });
        let forged: AppError = serde_json::from_value(forged).unwrap();
        assert_eq!(forged.field_problem("username"), Some(Problem::Unknown));
        for err in [
            forged,
            AppError::ServerFn(ServerFnErrorErr::Args(foreign.into())),
            AppError::ServerFn(ServerFnErrorErr::ServerError(foreign.into())),
            AppError::ServerFn(ServerFnErrorErr::Registration(foreign.into())),
        ] {
            let shown = read_back(&err);
            assert!(!shown.contains("locked"), "{shown}");
        }
        // The app's own errors come back as they were.
        for err in [
            AppError::InvalidCredentials,
            AppError::TooManyAttempts,
            AppError::RateLimited(12),
            AppError::Busy,
            AppError::field("note", Problem::Note),
            AppError::field("username", Problem::UsernameTaken),
        ] {
            assert_eq!(read_back(&err), err.to_string());
        }
        // Garbage is a generic error, not a panic.
        let garbage = AppError::de(Bytes::from_static(b"{not json"));
        assert!(matches!(garbage, AppError::ServerFn(_)));
    }

    /// Each problem reads back as itself from its text: the list is closed
    /// and no two problems share a text.
    #[test]
    fn every_problem_reads_back_as_itself() {
        use strum::IntoEnumIterator;
        for problem in Problem::iter() {
            let text = serde_json::to_string(&problem).unwrap();
            assert_eq!(serde_json::from_str::<Problem>(&text).unwrap(), problem);
        }
    }

    #[test]
    fn an_error_body_names_its_kind_and_says_its_message() {
        assert_eq!(
            serde_json::to_string(&AppError::InvalidCredentials).unwrap(),
            r#"{"error":"invalid_credentials","message":"Invalid username or password."}"#
        );
        assert_eq!(
            serde_json::to_value(AppError::RateLimited(12)).unwrap()["retry_after"],
            12
        );
        let own = [
            AppError::InvalidCredentials,
            AppError::field("note", Problem::Note),
            AppError::Unauthorized,
            AppError::Forbidden,
            AppError::TooManyAttempts,
            AppError::RateLimited(3),
            AppError::Busy,
            AppError::NotFound,
            AppError::SecondFactorRequired,
            AppError::SignInExpired,
            AppError::ReauthRequired,
            AppError::PasskeyNotStarted,
            AppError::PasskeyRejected,
            AppError::PasskeyUnknown,
            AppError::Internal,
            AppError::Unavailable,
            AppError::ServerFn(ServerFnErrorErr::Args(String::new())),
            AppError::ServerFn(ServerFnErrorErr::MissingArg(String::new())),
            AppError::ServerFn(ServerFnErrorErr::Registration(String::new())),
        ];
        for err in own {
            let body = serde_json::to_value(&err).unwrap();
            assert_eq!(body["message"], err.to_string());
            let back: AppError = serde_json::from_value(body).unwrap();
            assert_eq!(back, err);
            assert_eq!(back.status(), err.status());
        }
        let unknown = serde_json::from_str::<AppError>(r#"{"error":"nope","message":"x"}"#);
        assert!(unknown.is_err());
    }

    #[test]
    fn a_field_error_is_found_by_its_field() {
        let err = AppError::field("name", Problem::CookieNameLength);
        assert_eq!(err.field_problem("name"), Some(Problem::CookieNameLength));
        assert_eq!(err.field_problem("other"), None);
    }
}
