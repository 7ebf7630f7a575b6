//! `Browser`: one cookie jar on one loopback address, pointed at one server,
//! with a method per endpoint of the contract. A test reads as what a person
//! does: `phone.login(&user, false)`, `laptop.sessions()`.
use reqwest::{header, redirect, Client, Response};

/// Anything with an address that serves sesame: an in-process `TestApp`,
/// or a `sesame` process.
pub trait Server {
    fn url(&self, path: &str) -> String;
}

/// A browser: keeps cookies, never follows redirects (so tests see them),
/// and fails a request that hangs instead of stalling the run.
#[derive(Clone)]
pub struct Browser {
    client: Client,
    base: String,
}

impl Browser {
    /// A new browser (empty cookie jar) on 127.0.0.1.
    pub fn new(server: &impl Server) -> Browser {
        Browser::with(builder(), server)
    }

    /// A new browser on its own loopback address (127.0.0.2, 127.0.0.3,
    /// ...): the server sees a different client for each.
    pub fn at(ip: &str, server: &impl Server) -> Browser {
        let ip = ip.parse::<std::net::IpAddr>().expect("ip");
        Browser::with(builder().local_address(ip), server)
    }

    /// A client that keeps no cookies: every request starts a new visit.
    pub fn without_cookies(server: &impl Server) -> Browser {
        let builder = Client::builder()
            .redirect(redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30));
        Browser::with(builder, server)
    }

    /// A client that keeps no cookies, on its own loopback address.
    pub fn without_cookies_at(ip: &str, server: &impl Server) -> Browser {
        let ip = ip.parse::<std::net::IpAddr>().expect("ip");
        let builder = Client::builder()
            .redirect(redirect::Policy::none())
            .local_address(ip)
            .timeout(std::time::Duration::from_secs(30));
        Browser::with(builder, server)
    }

    /// A browser speaking HTTP/2 without TLS (h2c, prior knowledge), as a
    /// proxy speaking HTTP/2 upstream does.
    pub fn http2(server: &impl Server) -> Browser {
        Browser::with(builder().http2_prior_knowledge(), server)
    }

    /// A new browser that says it is `user_agent`.
    pub fn with_user_agent(user_agent: &str, server: &impl Server) -> Browser {
        Browser::with(builder().user_agent(user_agent), server)
    }

    fn with(builder: reqwest::ClientBuilder, server: &impl Server) -> Browser {
        Browser {
            client: builder.build().expect("client"),
            base: server.url(""),
        }
    }

    /// This browser (same cookies) talking to another server: another
    /// instance behind the same address, or the server after a restart.
    pub fn on(&self, server: &impl Server) -> Browser {
        Browser {
            client: self.client.clone(),
            base: server.url(""),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The HTTP client, for a request no method here makes (odd headers).
    pub fn client(&self) -> &Client {
        &self.client
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// The body of a GET, by path or by a full URL (a redirect's Location).
    pub async fn html(&self, path_or_url: &str) -> String {
        let url = if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            self.url(path_or_url)
        };
        let res = self.client.get(url).send().await.expect("GET");
        res.text().await.expect("body")
    }

    /// A server-function call as the hydrated app makes it.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.try_post_form(path, form).await.expect("POST")
    }

    /// The same, when the server may be gone (being killed).
    pub async fn try_post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Result<Response> {
        self.client
            .post(self.url(path))
            .header(header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
    }

    /// The same call as a browser form post with JavaScript off.
    pub async fn post_html_form(
        &self,
        path: &str,
        referer: &str,
        form: &[(&str, &str)],
    ) -> Response {
        self.client
            .post(self.url(path))
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, self.url(referer))
            .header(header::ORIGIN, &self.base)
            .form(form)
            .send()
            .await
            .expect("POST")
    }

    pub async fn register(&self, user: &TestUser) -> Response {
        self.post_form("/api/register", &register_form(user)).await
    }

    pub async fn login(&self, user: &TestUser, remember: bool) -> Response {
        self.post_form("/api/login", &login_form(user, remember))
            .await
    }

    pub async fn logout(&self) -> Response {
        self.post_form("/api/logout", &[]).await
    }

    pub async fn logout_all(&self) -> Response {
        self.post_form("/api/logout_all", &[]).await
    }

    /// `/api/current_user` as JSON (`null` when anonymous).
    pub async fn current_user(&self) -> serde_json::Value {
        let res = self.post_form("/api/current_user", &[]).await;
        assert_eq!(res.status(), 200);
        res.json().await.expect("json")
    }

    /// `/api/current_user` from a fresh client sending only `cookie`
    /// (`name=value`), as an attacker replaying a stolen or old cookie would.
    pub async fn current_user_replaying(&self, cookie: &str) -> String {
        let res = builder()
            .build()
            .expect("client")
            .post(self.url("/api/current_user"))
            .header(header::COOKIE, cookie)
            .send()
            .await
            .expect("POST");
        res.text().await.expect("body")
    }

    /// The session's note (`null` when there is none).
    pub async fn note(&self) -> serde_json::Value {
        let res = self.post_form("/api/session_data", &[]).await;
        assert_eq!(res.status(), 200);
        res.json::<serde_json::Value>().await.expect("json")["note"].clone()
    }

    pub async fn set_note(&self, note: &str) -> Response {
        self.post_form("/api/set_note", &[("note", note)]).await
    }

    pub async fn users(&self, page: Option<&str>) -> Response {
        match page {
            Some(page) => self.post_form("/api/users", &[("page", page)]).await,
            None => self.post_form("/api/users", &[]).await,
        }
    }

    pub async fn sessions(&self) -> Response {
        self.post_form("/api/sessions", &[]).await
    }

    pub async fn revoke_session(&self, handle: &str) -> Response {
        self.post_form("/api/revoke_session", &[("handle", handle)])
            .await
    }

    pub async fn revoke_other_sessions(&self) -> Response {
        self.post_form("/api/revoke_other_sessions", &[]).await
    }

    pub async fn change_password(&self, current: &str, new: &str) -> Response {
        self.post_form(
            "/api/change_password",
            &[("current", current), ("new", new)],
        )
        .await
    }
}

fn builder() -> reqwest::ClientBuilder {
    Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
}

/// A user with unique, valid credentials.
#[derive(Clone, Debug)]
pub struct TestUser {
    pub username: String,
    pub email: String,
    pub password: String,
}

impl TestUser {
    pub fn generate() -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let tag = format!("{}{n}", std::process::id());
        Self {
            username: format!("user{tag}"),
            email: format!("user{tag}@example.com"),
            password: format!("pw-{tag}-long-enough"),
        }
    }

    /// The same account with another (wrong) password.
    pub fn with_password(&self, password: &str) -> Self {
        Self {
            password: password.to_owned(),
            ..self.clone()
        }
    }
}

pub fn register_form(user: &TestUser) -> [(&str, &str); 3] {
    [
        ("username", &user.username),
        ("email", &user.email),
        ("password", &user.password),
    ]
}

pub fn login_form(user: &TestUser, remember: bool) -> Vec<(&str, &str)> {
    let mut form = vec![
        ("username", user.username.as_str()),
        ("password", user.password.as_str()),
    ];
    if remember {
        form.push(("remember", "on"));
    }
    form
}

/// Statuses of `requests` sent all at once (each on its own task).
pub async fn at_once<F>(requests: Vec<F>) -> Vec<reqwest::StatusCode>
where
    F: std::future::Future<Output = reqwest::Response> + Send + 'static,
{
    let tasks: Vec<_> = requests.into_iter().map(tokio::spawn).collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("request task").status());
    }
    statuses
}
