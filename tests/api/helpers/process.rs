//! `Process`: the real `sesame` binary as a child process, so a test can
//! SIGKILL it, SIGTERM it and read its logs.
use super::{Browser, Server, Storage};
use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

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
        let probe = reqwest::Client::new();
        for _ in 0..300 {
            if probe.get(&process.address).send().await.is_ok() {
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

impl Process {
    /// A new browser (its own cookies) on this process.
    pub fn browser(&self) -> Browser {
        Browser::new(self)
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
