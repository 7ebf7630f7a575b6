//! The cookie demo over HTTP.
use crate::helpers::{location, set_cookies, spawn_app};
use reqwest::header;

#[tokio::test]
async fn the_cookie_page_greets_a_guest() {
    let app = spawn_app().await;
    let html = app.get("/cookies").await.text().await.unwrap();
    assert!(html.contains("Hello, Guest!"));
    for label in ["Name", "Set cookie", "Delete cookie"] {
        assert!(html.contains(label), "{label}");
    }
}

#[tokio::test]
async fn the_cookie_page_greets_by_the_cookie_in_the_first_paint() {
    let app = spawn_app().await;
    let html = app
        .client()
        .get(app.url("/cookies"))
        .header(header::COOKIE, "username=Zo%C3%AB%20%3Cb%3E")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Escaped: the name is text, never markup.
    assert!(html.contains("Hello, Zoë &lt;b&gt;!"), "{html}");
    assert!(!html.contains("Hello, Guest!"));
}

#[tokio::test]
async fn set_cookie_route_sets_the_cookie() {
    let app = spawn_app().await;
    let res = app.get("/set_cookie/alice").await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        set_cookies(&res),
        ["username=alice; HttpOnly; SameSite=Lax; Path=/"]
    );
    assert!(res.text().await.unwrap().contains("Cookie set for alice"));

    let html = app.get("/cookies").await.text().await.unwrap();
    assert!(html.contains("Hello, alice!"));
}

#[tokio::test]
async fn set_cookie_route_stores_the_name_url_encoded() {
    let app = spawn_app().await;
    let res = app.get("/set_cookie/J%C3%B6rg%20%3Ci%3E").await;
    assert_eq!(
        set_cookies(&res)[0],
        "username=J%C3%B6rg%20%3Ci%3E; HttpOnly; SameSite=Lax; Path=/"
    );
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Cookie set for Jörg &lt;i&gt;"));
}

#[tokio::test]
async fn set_cookie_route_with_a_too_long_name_is_a_4xx_without_a_cookie() {
    let app = spawn_app().await;
    let res = app.get(&format!("/set_cookie/{}", "a".repeat(65))).await;
    assert!(res.status().is_client_error(), "{}", res.status());
    assert!(set_cookies(&res).is_empty());
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Name must be 1–64 characters."));
}

#[tokio::test]
async fn delete_cookie_route_removes_the_cookie() {
    let app = spawn_app().await;
    app.get("/set_cookie/bob").await;
    let res = app.get("/delete_cookie").await;
    assert_eq!(res.status(), 200);
    let cookies = set_cookies(&res);
    assert_eq!(cookies.len(), 1);
    assert!(cookies[0].starts_with("username=;"), "{cookies:?}");
    assert!(cookies[0].contains("Max-Age=0"), "{cookies:?}");
    assert!(cookies[0].contains("Path=/"), "{cookies:?}");
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Cookie has been deleted"));

    let html = app.get("/cookies").await.text().await.unwrap();
    assert!(html.contains("Hello, Guest!"));
}

#[tokio::test]
async fn api_set_cookie_sets_and_returns_the_name() {
    let app = spawn_app().await;
    let res = app.post_form("/api/set_cookie", &[("name", "carol")]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        set_cookies(&res),
        ["username=carol; HttpOnly; SameSite=Lax; Path=/"]
    );
    assert_eq!(res.text().await.unwrap(), "\"carol\"");
}

#[tokio::test]
async fn api_delete_cookie_removes_it() {
    let app = spawn_app().await;
    let res = app.post_form("/api/delete_cookie", &[]).await;
    assert_eq!(res.status(), 200);
    assert!(set_cookies(&res)[0].contains("Max-Age=0"));
}

#[tokio::test]
async fn api_set_cookie_rejects_bad_names_with_a_4xx_and_a_message() {
    let app = spawn_app().await;
    let long = "x".repeat(65);
    for name in ["", long.as_str(), "a\u{7}b"] {
        let res = app.post_form("/api/set_cookie", &[("name", name)]).await;
        assert_eq!(res.status(), 422, "{name:?}");
        assert!(set_cookies(&res).is_empty());
        let body = res.text().await.unwrap();
        assert!(body.contains("\"field\":\"name\""), "{body}");
    }
}

#[tokio::test]
async fn api_set_cookie_rejects_malformed_bodies_with_a_4xx() {
    let app = spawn_app().await;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("application/x-www-form-urlencoded", b"nam=x".to_vec()),
        ("application/x-www-form-urlencoded", b"".to_vec()),
        ("application/x-www-form-urlencoded", b"name=%FF%FE".to_vec()),
        ("application/json", br#"{"name":"x"}"#.to_vec()),
        ("text/plain", b"\0\0\0".to_vec()),
    ];
    for (content_type, body) in cases {
        let res = app
            .client()
            .post(app.url("/api/set_cookie"))
            .header(header::CONTENT_TYPE, content_type)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert!(
            res.status().is_client_error(),
            "{content_type} {body:?} -> {}",
            res.status()
        );
    }
}

#[tokio::test]
async fn a_huge_body_is_refused_with_413() {
    let app = spawn_app().await;
    let huge = "x".repeat(1024 * 1024);
    let res = app
        .post_form("/api/set_cookie", &[("name", huge.as_str())])
        .await;
    assert_eq!(res.status(), 413);
}

#[tokio::test]
async fn a_cross_site_post_is_refused() {
    let app = spawn_app().await;
    let res = app
        .client()
        .post(app.url("/api/set_cookie"))
        .header(header::ORIGIN, "https://evil.example")
        .form(&[("name", "mallory")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(set_cookies(&res).is_empty());

    let res = app
        .client()
        .post(app.url("/api/set_cookie"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("name", "mallory")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn a_same_site_post_is_accepted() {
    let app = spawn_app().await;
    let res = app
        .client()
        .post(app.url("/api/set_cookie"))
        .header(header::ORIGIN, &app.address)
        .header("sec-fetch-site", "same-origin")
        .form(&[("name", "dave")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_form_post_without_javascript_redirects_back_to_the_form() {
    let app = spawn_app().await;
    let res = app
        .post_html_form("/api/set_cookie", "/cookies", &[("name", "erin")])
        .await;
    assert_eq!(res.status(), 302);
    // Leptos strips any earlier error from the URL and may leave a bare '?'.
    let back = location(&res).expect("redirect");
    assert_eq!(back.trim_end_matches('?'), app.url("/cookies"));
    assert_eq!(
        set_cookies(&res),
        ["username=erin; HttpOnly; SameSite=Lax; Path=/"]
    );
}

#[tokio::test]
async fn a_bad_form_post_without_javascript_comes_back_with_its_message() {
    let app = spawn_app().await;
    let res = app
        .post_html_form("/api/set_cookie", "/cookies", &[("name", "")])
        .await;
    assert_eq!(res.status(), 302);
    assert!(set_cookies(&res).is_empty());
    let back = location(&res).expect("redirect");
    assert!(back.starts_with(&app.url("/cookies?")), "{back}");

    let html = app.html(&back).await;
    assert!(html.contains("Name must be 1–64 characters."), "{html}");
}
