//! Every server function against every kind of malformed body: each is
//! answered with a 4xx within a second, and the server keeps serving.
use crate::helpers::spawn_app;
use reqwest::header::CONTENT_TYPE;
use std::time::{Duration, Instant};

/// Every server function, and whether it takes fields that must be there.
const SERVER_FUNCTIONS: [(&str, bool); 12] = [
    ("/api/login", true),
    ("/api/logout", false),
    ("/api/logout_all", false),
    ("/api/register", true),
    ("/api/current_user", false),
    ("/api/session_info", false),
    ("/api/users", false),
    ("/api/session_data", false),
    ("/api/set_note", true),
    ("/api/cookie", false),
    ("/api/set_cookie", true),
    ("/api/delete_cookie", false),
];

const FORM: &str = "application/x-www-form-urlencoded";

struct Case {
    name: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
    /// Malformed only for a function that reads fields.
    needs_fields: bool,
}

fn cases() -> Vec<Case> {
    let huge = format!("username={}&password=x", "a".repeat(1024 * 1024)).into_bytes();
    vec![
        Case {
            name: "wrong content type",
            content_type: "text/plain",
            body: b"username=a&password=b".to_vec(),
            needs_fields: false,
        },
        Case {
            name: "JSON instead of a form",
            content_type: "application/json",
            body: br#"{"username":"a","password":"b","note":"n","name":"n"}"#.to_vec(),
            needs_fields: false,
        },
        Case {
            name: "invalid percent-encoding",
            content_type: FORM,
            body: b"username=%ZZ&password=100%&note=%E2%8&name=%".to_vec(),
            needs_fields: false,
        },
        Case {
            name: "percent-encoded bytes that are not UTF-8",
            content_type: FORM,
            body: b"username=%FF%FE&password=%C3&note=%80&name=%FF".to_vec(),
            needs_fields: false,
        },
        Case {
            name: "raw NUL bytes",
            content_type: FORM,
            body: b"username=a\0b&password=pass\0word&note=\0&name=\0".to_vec(),
            needs_fields: false,
        },
        Case {
            name: "a 1 MiB field",
            content_type: FORM,
            body: huge,
            needs_fields: false,
        },
        Case {
            name: "duplicated fields",
            content_type: FORM,
            body: b"username=a&username=b&password=x&password=y&note=a&note=b&name=a&name=b"
                .to_vec(),
            needs_fields: false,
        },
        Case {
            name: "missing fields",
            content_type: FORM,
            body: Vec::new(),
            needs_fields: true,
        },
        Case {
            name: "a field of the wrong type",
            content_type: FORM,
            body: b"page=-1&remember=maybe&username[x]=1".to_vec(),
            needs_fields: true,
        },
    ]
}

#[tokio::test]
async fn every_malformed_body_to_every_server_function_is_a_4xx_within_a_second() {
    let app = spawn_app().await;
    let mut tried = 0;
    for case in cases() {
        for (path, has_fields) in SERVER_FUNCTIONS {
            if case.needs_fields && !has_fields {
                continue;
            }
            let started = Instant::now();
            let res = app
                .client()
                .post(app.url(path))
                .header(CONTENT_TYPE, case.content_type)
                .header("accept", "application/json")
                .body(case.body.clone())
                .timeout(Duration::from_secs(5))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{path}, {}: no answer: {e}", case.name));
            let status = res.status().as_u16();
            let elapsed = started.elapsed();
            let text = res.text().await.unwrap_or_default();
            assert!(
                (400..500).contains(&status),
                "{path}, {}: {status} {text}",
                case.name
            );
            assert!(
                !text.is_empty(),
                "{path}, {}: {status} with no message",
                case.name
            );
            assert!(
                elapsed < Duration::from_secs(1),
                "{path}, {}: answered in {elapsed:?}",
                case.name
            );
            tried += 1;
        }
    }
    assert!(tried >= 80, "{tried}");
    // Still serving, and nothing was stored on the way.
    assert_eq!(app.get("/").await.status(), 200);
    assert!(app.current_user().await.is_null());
    assert!(app.note().await.is_null());
    assert_eq!(app.stored_sessions().await, 0);
}
