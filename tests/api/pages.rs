//! Server-rendered pages: what the first byte already says.
use crate::helpers::{assert_error, location, spawn_app, AppError, TestUser};

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
async fn the_home_page_names_the_signed_in_user() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let html = app.get("/").await.text().await.unwrap();
    assert!(html.contains(&format!("Logged in as {}", user.username)));
    assert!(!html.contains("You are not logged in!"));
}

#[tokio::test]
async fn protected_pages_redirect_anonymous_visitors_to_login() {
    let app = spawn_app().await;
    for (path, to) in [
        ("/profile", "/login?next=%2Fprofile"),
        ("/users", "/login?next=%2Fusers"),
        ("/users?page=2", "/login?next=%2Fusers%3Fpage%3D2"),
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 302, "{path}");
        assert_eq!(location(&res).as_deref(), Some(to), "{path}");
    }
}

#[tokio::test]
async fn the_profile_shows_the_user_and_this_session() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let res = app.get("/profile").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains(&format!("Welcome, {}", user.username)));
    assert!(html.contains(&user.email));
    assert!(html.contains("Session started"));
    assert!(html.contains("Session expires"));
    assert!(html.contains(">Log out</button>"));
    assert!(html.contains(">Log out everywhere</button>"));
}

#[tokio::test]
async fn the_login_and_register_forms_have_the_contract_labels() {
    let app = spawn_app().await;
    let login = app.get("/login").await.text().await.unwrap();
    for label in [
        ">Username</label>",
        ">Password</label>",
        "Remember me",
        ">Log in</button>",
    ] {
        assert!(login.contains(label), "{label}");
    }
    let register = app.get("/register").await.text().await.unwrap();
    for label in [
        ">Username</label>",
        ">Email</label>",
        ">Password</label>",
        ">Create account</button>",
    ] {
        assert!(register.contains(label), "{label}");
    }
}

#[tokio::test]
async fn users_are_listed_20_a_page_by_id() {
    let app = spawn_app().await;
    let mut users = Vec::new();
    for _ in 0..25 {
        let user = TestUser::generate();
        app.new_browser().register(&user).await;
        users.push(user);
    }
    app.login(&users[0], false).await;

    let page1 = app.get("/users").await.text().await.unwrap();
    for h in [">ID</th>", ">Username</th>", ">Email</th>"] {
        assert!(page1.contains(h));
    }
    assert_eq!(page1.matches("<tr><td>").count(), 20);
    assert!(page1.contains(&users[0].username) && page1.contains(&users[19].username));
    assert!(!page1.contains(&users[20].username));
    assert!(page1.contains(">Next</a>") && !page1.contains(">Previous</a>"));

    let page2 = app.get("/users?page=2").await.text().await.unwrap();
    assert_eq!(page2.matches("<tr><td>").count(), 5);
    assert!(page2.contains(&users[24].username));
    assert!(page2.contains(">Previous</a>") && !page2.contains(">Next</a>"));

    let json: serde_json::Value = app.users(Some("2")).await.json().await.unwrap();
    assert_eq!(json["users"].as_array().unwrap().len(), 5);
    assert_eq!(json["users"][0]["username"], users[20].username.as_str());
}

#[tokio::test]
async fn a_bad_page_number_is_a_4xx() {
    let app = spawn_app().await;
    app.register(&TestUser::generate()).await;
    for page in ["0", "abc", "-1"] {
        let res = app.get(&format!("/users?page={page}")).await;
        assert!(res.status().is_client_error(), "{page}: {}", res.status());
        let res = app.users(Some(page)).await;
        assert!(res.status().is_client_error(), "{page}: {}", res.status());
    }
}

#[tokio::test]
async fn protected_server_functions_refuse_anonymous_calls_with_401() {
    let app = spawn_app().await;
    for path in ["/api/users", "/api/session_info"] {
        let res = app.post_form(path, &[]).await;
        assert_error(res, 401, AppError::Unauthorized).await;
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

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    let page = app.get("/").await;
    let header = |res: &reqwest::Response, name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let policy = header(&page, "content-security-policy");
    assert_eq!(header(&page, "x-content-type-options"), "nosniff");
    assert_eq!(header(&page, "referrer-policy"), "same-origin");
    let html = page.text().await.unwrap();
    // The policy's nonce is the one on the page's inline scripts, and a new
    // one is made for every response.
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    assert!(nonce.len() >= 16, "{nonce}");
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "{html}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    let again = header(&app.get("/").await, "content-security-policy");
    assert_ne!(again, policy);

    for res in [
        app.post_form("/api/current_user", &[]).await,
        app.get("/pkg/sesame.css").await,
        app.get("/no-such-page").await,
    ] {
        assert_eq!(header(&res, "x-content-type-options"), "nosniff");
        assert_eq!(header(&res, "referrer-policy"), "same-origin");
        assert!(header(&res, "content-security-policy").contains("frame-ancestors 'none'"));
    }
}
