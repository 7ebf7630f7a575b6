//! `spawn_app()`: the real `Application` on 127.0.0.1:0 with its own data dir.
use reqwest::{header, redirect, Client, Response};
use sesame::{config::Settings, startup::Application};
use std::collections::HashMap;
use tempfile::TempDir;

pub struct TestApp {
    pub address: String,
    /// Keeps cookies like a browser; never follows redirects, so tests see them.
    pub client: Client,
    _data: TempDir,
}

pub async fn spawn_app() -> TestApp {
    let data = tempfile::tempdir().expect("temp dir");
    let vars: HashMap<String, String> = [
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0".to_owned()),
        (
            "DATABASE_URL",
            format!("sqlite://{}/sesame.db?mode=rwc", data.path().display()),
        ),
        (
            "SECRET_KEY",
            "test-secret-key-0123456789abcdef-0123456789abcdef".to_owned(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let settings = Settings::from_vars(&vars).expect("settings");
    let app = Application::build(settings).await.expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: client(),
        _data: data,
    }
}

pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .expect("client")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// A server-function call as the hydrated app makes it.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .header(header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .expect("POST")
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
            .header(header::ORIGIN, &self.address)
            .form(form)
            .send()
            .await
            .expect("POST")
    }
}

pub fn set_cookies(res: &Response) -> Vec<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect()
}

pub fn location(res: &Response) -> Option<String> {
    res.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
