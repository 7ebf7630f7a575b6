//! `spawn_app()`: the real `Application` on 127.0.0.1:0 with its own data,
//! in this process; `sibling()` and `restart()` for a second instance and a
//! restart on the same storage.
use super::{Browser, Server, Storage};
use sesame::{config::Settings, startup::Application};
use std::{path::PathBuf, sync::Arc};
use tempfile::TempDir;
use tokio::sync::oneshot;

pub struct TestApp {
    pub address: String,
    /// `http://127.0.0.1:PORT` of `/metrics`, when the test turned it on.
    pub metrics_address: Option<String>,
    /// The test's own browser; `app.login(..)` and the like are its calls.
    pub browser: Browser,
    pub storage: Storage,
    data: Arc<TempDir>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
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
    let browser = Browser::new(&address);
    TestApp {
        address,
        metrics_address,
        browser,
        storage,
        data,
        stop: Some(stop),
        server: Some(server),
    }
}

impl Server for TestApp {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }
}

impl Server for String {
    fn url(&self, path: &str) -> String {
        format!("{self}{path}")
    }
}

/// The app's own browser's calls, on the app: `app.login(&user, false)`.
impl std::ops::Deref for TestApp {
    type Target = Browser;

    fn deref(&self) -> &Browser {
        &self.browser
    }
}

impl TestApp {
    /// Another browser, with its own cookies, on 127.0.0.1.
    pub fn new_browser(&self) -> Browser {
        Browser::new(self)
    }

    /// Another browser on its own loopback address (127.0.0.2 ...).
    pub fn browser_at(&self, ip: &str) -> Browser {
        Browser::at(ip, self)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data.path().to_owned()
    }

    pub async fn stored_sessions(&self) -> i64 {
        self.storage.stored_sessions().await
    }

    /// A second instance on the same storage and secret, as another machine
    /// behind the same proxy would be; with its own browser.
    pub async fn sibling(&self) -> TestApp {
        start(self.data.clone(), self.storage.clone(), |_| {}).await
    }

    /// `sibling`, with settings changed first (the same limits as this
    /// one's, say).
    pub async fn sibling_with(&self, change: impl FnOnce(&mut Settings)) -> TestApp {
        start(self.data.clone(), self.storage.clone(), change).await
    }

    /// Stops the server (finishing requests in flight) and starts a new one
    /// on the same database and secret, as a restart would; the app's
    /// browser keeps its cookies.
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
        app.browser = self.browser.on(&app);
        app
    }
}
