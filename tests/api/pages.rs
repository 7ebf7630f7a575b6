//! Server-rendered pages: what the first byte already says.
use crate::helpers::spawn_app;

#[tokio::test]
async fn the_home_page_tells_an_anonymous_visitor_so() {
    let app = spawn_app().await;
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("You are not logged in!"), "{html}");
    for link in ["Home", "Cookies", "Profile", "Users", "Log in"] {
        assert!(html.contains(&format!(">{link}</a>")), "nav link {link}");
    }
}

#[tokio::test]
async fn an_unknown_path_is_a_404_page() {
    let app = spawn_app().await;
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Page not found"));
}

#[tokio::test]
async fn an_unknown_server_function_is_a_client_error() {
    let app = spawn_app().await;
    let res = app.post_form("/api/no_such_function", &[]).await;
    assert!(res.status().is_client_error(), "{}", res.status());
}
