//! `spawn_app()`: the real `Application` on 127.0.0.1:0 with its own data.
//!
//! Storage follows the environment that `scripts/with-services` sets: a
//! fresh SQLite file by default; a fresh PostgreSQL database on the server
//! named by `SESAME_TEST_POSTGRES`; sessions in a fresh Redis database on
//! the server named by `SESAME_TEST_REDIS`. Every test gets its own.
use reqwest::{header, redirect, Client, Response};
use sesame::{config::Settings, db::Db, startup::Application};
use std::{
    collections::HashMap,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicU32, Ordering},
        Arc,
    },
    time::Duration,
};
use tempfile::TempDir;
use tokio::sync::oneshot;

pub const SECRET_KEY: &str = "test-secret-key-0123456789abcdef-0123456789abcdef";

pub struct TestApp {
    pub address: String,
    /// `http://127.0.0.1:PORT` of `/metrics`, when the test turned it on.
    pub metrics_address: Option<String>,
    /// Keeps cookies like a browser; never follows redirects, so tests see them.
    pub client: Client,
    pub storage: Storage,
    data: Arc<TempDir>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// Where one test's data lives; every instance of that test shares it.
#[derive(Clone, Debug)]
pub struct Storage {
    pub database_url: String,
    pub redis_url: Option<String>,
}

impl Storage {
    /// Fresh, empty storage of the kind this run tests.
    pub async fn fresh(dir: &std::path::Path) -> Storage {
        static N: AtomicU32 = AtomicU32::new(1);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let database_url = match env_var("SESAME_TEST_POSTGRES") {
            Some(server) => {
                use sqlx::Connection;
                let name = format!("sesame_test_{}_{n}", std::process::id());
                let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
                    .await
                    .expect("connect to the test PostgreSQL server");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .expect("create a test database");
                format!("{server}/{name}")
            }
            None => format!("sqlite://{}/sesame.db?mode=rwc", dir.display()),
        };
        // Redis numbers its databases; the test server has thousands.
        let redis_url = env_var("SESAME_TEST_REDIS").map(|server| format!("{server}/{n}"));
        Storage {
            database_url,
            redis_url,
        }
    }

    /// Settings as in production, on a free port, on this storage.
    pub fn settings(&self) -> Settings {
        let mut vars: HashMap<String, String> = [
            ("LEPTOS_SITE_ADDR", "127.0.0.1:0".to_owned()),
            ("DATABASE_URL", self.database_url.clone()),
            ("SECRET_KEY", SECRET_KEY.to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        if let Some(redis) = &self.redis_url {
            vars.insert("REDIS_URL".to_owned(), redis.clone());
        }
        Settings::from_vars(&vars).expect("settings")
    }

    /// The environment a `sesame` process needs to use this storage.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![
            ("DATABASE_URL", self.database_url.clone()),
            ("SECRET_KEY", SECRET_KEY.to_owned()),
        ];
        if let Some(redis) = &self.redis_url {
            env.push(("REDIS_URL", redis.clone()));
        }
        env
    }

    /// The SQL database, opened directly, to check what is stored.
    pub async fn db(&self) -> Db {
        Db::connect(&self.database_url).await.expect("database")
    }

    /// How many sessions the store holds, wherever it keeps them.
    pub async fn stored_sessions(&self) -> i64 {
        if let Some(url) = &self.redis_url {
            return redis_entries(url).await.len() as i64;
        }
        const SQL: &str = "SELECT COUNT(*) FROM sessions";
        match self.db().await {
            Db::Sqlite(pool, _) => sqlx::query_scalar(SQL).fetch_one(&pool).await,
            Db::Postgres(pool) => sqlx::query_scalar(SQL).fetch_one(&pool).await,
        }
        .expect("count sessions")
    }
}

/// Every live key in the Redis database at `url`, with its value.
///
/// KEYS, not DBSIZE: Redis reclaims an expired key lazily, and DBSIZE
/// counts it until then; KEYS leaves out expired ones.
pub async fn redis_entries(url: &str) -> Vec<(String, Vec<u8>)> {
    use tower_sessions_redis_store::fred::{prelude::*, types::CustomCommand};
    let client = Client::new(Config::from_url(url).expect("url"), None, None, None);
    client.init().await.expect("connect to Redis");
    let keys: Vec<String> = client
        .custom(CustomCommand::new_static("KEYS", None, false), vec!["*"])
        .await
        .expect("KEYS");
    let mut entries = Vec::new();
    for key in keys {
        let value: Option<Vec<u8>> = client.get(&key).await.expect("GET");
        entries.push((key, value.unwrap_or_default()));
    }
    let _ = client.quit().await;
    entries
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Per-client limits off, for a test that plays a crowd from one address
/// (load, durability): the limits have tests of their own (floods.rs).
pub fn crowd_from_one_address(settings: &mut Settings) {
    settings.client_rates.password_attempts = None;
    settings.client_rates.new_sessions = None;
}

/// The same for a `sesame` process.
pub const CROWD_FROM_ONE_ADDRESS: &[(&str, &str)] = &[
    ("PASSWORD_ATTEMPTS_PER_MINUTE", "0"),
    ("NEW_SESSIONS_PER_MINUTE", "0"),
];

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like `spawn_app`, with settings changed first (tiny lifetimes...).
pub async fn spawn_app_with(change: impl FnOnce(&mut Settings)) -> TestApp {
    let data = Arc::new(tempfile::tempdir().expect("temp dir"));
    let storage = Storage::fresh(data.path()).await;
    start(data, storage, change).await
}

/// `spawn_app` on storage the test prepared.
pub async fn spawn_app_on(storage: Storage) -> TestApp {
    let data = Arc::new(tempfile::tempdir().expect("temp dir"));
    start(data, storage, |_| {}).await
}

async fn start(
    data: Arc<TempDir>,
    storage: Storage,
    change: impl FnOnce(&mut Settings),
) -> TestApp {
    let mut settings = storage.settings();
    change(&mut settings);
    let app = Application::build(settings).await.expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let metrics_address = app
        .metrics_port()
        .map(|port| format!("http://127.0.0.1:{port}"));
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    TestApp {
        address,
        metrics_address,
        client: client(),
        storage,
        data,
        stop: Some(stop),
        server: Some(server),
    }
}

pub fn client() -> Client {
    browser().build().expect("client")
}

/// A browser on its own loopback address (127.0.0.2, 127.0.0.3, ...): the
/// server sees a different client for each.
pub fn client_at(ip: &str) -> Client {
    browser()
        .local_address(ip.parse::<std::net::IpAddr>().expect("ip"))
        .build()
        .expect("client")
}

fn browser() -> reqwest::ClientBuilder {
    Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        // A request that hangs fails the test instead of stalling the run.
        .timeout(std::time::Duration::from_secs(30))
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data.path().to_owned()
    }

    pub async fn stored_sessions(&self) -> i64 {
        self.storage.stored_sessions().await
    }

    /// A second instance on the same storage and secret, as another machine
    /// behind the same proxy would be; with its own cookie jar.
    pub async fn sibling(&self) -> TestApp {
        start(self.data.clone(), self.storage.clone(), |_| {}).await
    }

    /// Stops the server (finishing requests in flight) and starts a new one
    /// on the same database and secret, as a restart would.
    pub async fn restart(mut self) -> TestApp {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("server task")
                .expect("server stopped cleanly");
        }
        let mut app = start(self.data.clone(), self.storage.clone(), |_| {}).await;
        app.client = self.client.clone();
        app
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// A server-function call as the hydrated app makes it.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        post_form(&self.client, &self.url(path), form).await
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

    pub async fn register(&self, user: &TestUser) -> Response {
        register_with(&self.client, self, user).await
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

    pub async fn login(&self, user: &TestUser, remember: bool) -> Response {
        login_with(&self.client, self, user, remember).await
    }

    /// `/api/current_user` as JSON (`null` when anonymous).
    pub async fn current_user(&self) -> serde_json::Value {
        current_user_of(&self.client, self).await
    }

    /// `/api/current_user` as a fresh client sending only `cookie`
    /// (`name=value`), as an attacker replaying a stolen or old cookie would.
    pub async fn current_user_replaying(&self, cookie: &str) -> String {
        let res = client()
            .post(self.url("/api/current_user"))
            .header(header::COOKIE, cookie)
            .send()
            .await
            .expect("POST");
        res.text().await.expect("body")
    }

    pub async fn note(&self) -> serde_json::Value {
        let res = self.post_form("/api/session_data", &[]).await;
        assert_eq!(res.status(), 200);
        res.json::<serde_json::Value>().await.expect("json")["note"].clone()
    }
}

/// Anything with an address that serves sesame: an in-process `TestApp`,
/// or a `sesame` process.
pub trait Server {
    fn url(&self, path: &str) -> String;
}

impl Server for TestApp {
    fn url(&self, path: &str) -> String {
        TestApp::url(self, path)
    }
}

pub async fn post_form(client: &Client, url: &str, form: &[(&str, &str)]) -> Response {
    try_post_form(client, url, form).await.expect("POST")
}

/// A server-function call that may fail to connect (a server being killed).
pub async fn try_post_form(
    client: &Client,
    url: &str,
    form: &[(&str, &str)],
) -> reqwest::Result<Response> {
    client
        .post(url)
        .header(header::ACCEPT, "application/json")
        .form(form)
        .send()
        .await
}

pub fn register_form(user: &TestUser) -> [(&str, &str); 3] {
    [
        ("username", &user.username),
        ("email", &user.email),
        ("password", &user.password),
    ]
}

pub async fn register_with(client: &Client, app: &impl Server, user: &TestUser) -> Response {
    post_form(client, &app.url("/api/register"), &register_form(user)).await
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

pub async fn login_with(
    client: &Client,
    app: &impl Server,
    user: &TestUser,
    remember: bool,
) -> Response {
    post_form(client, &app.url("/api/login"), &login_form(user, remember)).await
}

pub async fn current_user_of(client: &Client, app: &impl Server) -> serde_json::Value {
    let res = post_form(client, &app.url("/api/current_user"), &[]).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
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
}

pub fn set_cookies(res: &Response) -> Vec<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect()
}

/// The session's Set-Cookie line (`sesame_session`, or
/// `__Host-sesame_session` with `COOKIE_SECURE`), if the response has one.
pub fn session_cookie(res: &Response) -> Option<String> {
    set_cookies(res)
        .into_iter()
        .find(|c| c.starts_with("sesame_session=") || c.starts_with("__Host-sesame_session="))
}

/// Just `name=value` of a Set-Cookie line, to replay it by hand.
pub fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or_default().to_owned()
}

pub fn location(res: &Response) -> Option<String> {
    res.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// A `sesame` server process (the real binary), so it can be SIGKILLed.
pub struct Process {
    pub child: Child,
    pub address: String,
    /// Where the process runs; its stderr (the logs) is `stderr.log` here.
    pub dir: tempfile::TempDir,
}

impl Process {
    /// Starts `sesame` on `port` with `storage`, plus `env`, and waits until
    /// it answers.
    pub async fn start(storage: &Storage, port: u16, env: &[(&str, &str)]) -> Process {
        let dir = tempfile::tempdir().expect("temp dir");
        let child = Command::new(env!("CARGO_BIN_EXE_sesame"))
            .envs(storage.env())
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_ENV", "PROD")
            .env("COOKIE_SECURE", "false")
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("stderr.log")).expect("log file"))
            .spawn()
            .expect("start sesame");
        // From here on, Drop kills and reaps the child whatever happens.
        let process = Process {
            child,
            address: format!("http://127.0.0.1:{port}"),
            dir,
        };
        for _ in 0..300 {
            if client().get(&process.address).send().await.is_ok() {
                return process;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("sesame did not start on {}", process.address);
    }

    pub fn kill(&mut self) {
        // Child::kill is SIGKILL: no shutdown, no flushing, mid-request.
        self.child.kill().expect("SIGKILL");
        let _ = self.child.wait();
    }
}

impl Process {
    /// Sends SIGTERM, as a service manager stopping it would.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(status.success());
    }

    /// Everything the process logged so far.
    pub fn logs(&self) -> String {
        let path = self.dir.path().join("stderr.log");
        std::fs::read(&path)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_else(|err| panic!("reading {}: {err}", path.display()))
    }
}

impl Server for Process {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}
