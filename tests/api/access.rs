//! Deny by default (`src/sign_in/access.rs`): every registered server function
//! refuses an anonymous call unless it is listed public.
use crate::helpers::{assert_error, spawn_app, AppError};
use sesame::sign_in::access;

#[tokio::test]
async fn every_server_function_is_protected_unless_listed_public() {
    let app = spawn_app().await;
    let paths = access::server_fn_paths();
    assert!(paths.len() >= 16, "{paths:?}");
    for public in access::PUBLIC {
        assert!(
            paths.contains(public),
            "{public} is listed public but does not exist"
        );
    }
    for path in &paths {
        let res = app.new_browser().post_form(path, &[("x", "")]).await;
        let status = res.status().as_u16();
        if access::is_public(path) {
            assert_ne!(status, 401, "{path} is public but refused a visitor");
        } else {
            assert_eq!(
                status, 401,
                "{path} answered an anonymous call with {status}"
            );
            assert_error(res, 401, AppError::Unauthorized).await;
        }
    }
    for protected in [
        "/api/users",
        "/api/sessions",
        "/api/revoke_session",
        "/api/change_password",
    ] {
        assert!(!access::is_public(protected), "{protected}");
    }
}
