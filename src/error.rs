//! The one error type of sesame, shared by both builds.
//!
//! `Display` is the exact text a person sees (the contract's strings live here,
//! once); `status()` is the HTTP status it leaves the server with.
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// A message tied to one form field, shown next to that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Every field that failed validation, in form order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn single(field: &str, message: impl Into<String>) -> Self {
        Self(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }

    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
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

    /// The message for `field`, if it failed.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let messages: Vec<&str> = self.0.iter().map(|e| e.message.as_str()).collect();
        f.write_str(&messages.join(" "))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
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
    #[error("Page not found.")]
    NotFound,
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
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(FieldErrors::single(field, message))
    }

    /// The message for one form field, if this error is about it.
    pub fn field_message(&self, field: &str) -> Option<&str> {
        match self {
            Self::Validation(fields) => fields.get(field),
            _ => None,
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::InvalidCredentials | Self::Unauthorized => 401,
            Self::Validation(_) => 422,
            Self::Forbidden => 403,
            Self::TooManyAttempts => 429,
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

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::ServerFn(value)
    }
}

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;
    use leptos::prelude::use_context;

    /// Every server-function error leaves through here.
    ///
    /// Leptos answers an `Err` with 500 unless the function sets a status, and
    /// tower-sessions drops session writes on a 5xx, so a fetch call gets the
    /// error's own status. A plain form post (JavaScript off) keeps Leptos'
    /// redirect back to the form, which carries the error in its URL and shows
    /// it next to the field.
    pub fn reject(err: AppError) -> AppError {
        if !is_plain_form_post() {
            if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                let status = http::StatusCode::from_u16(err.status())
                    .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
                res.set_status(status);
            }
        }
        err
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
                crate::outage::note();
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
                    crate::outage::note();
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
            use axum::response::IntoResponse;
            let status = http::StatusCode::from_u16(self.status())
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
            let body = serde_json::to_string(&self).unwrap_or_default();
            (
                status,
                [(http::header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response()
        }
    }

    /// A browser form submitted without JavaScript asks for HTML back.
    /// (A page rendered on the server is a GET and gets its status.)
    pub fn is_plain_form_post() -> bool {
        use_context::<http::request::Parts>()
            .filter(|parts| parts.method == http::Method::POST)
            .and_then(|parts| {
                parts
                    .headers
                    .get(http::header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| v.contains("text/html"))
            })
            .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_app_error_maps_to_a_4xx_or_5xx() {
        let all = [
            AppError::InvalidCredentials,
            AppError::field("name", "x"),
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
    fn a_field_error_is_found_by_its_field() {
        let err = AppError::field("name", "Too long.");
        assert_eq!(err.field_message("name"), Some("Too long."));
        assert_eq!(err.field_message("other"), None);
    }
}
