//! [ssr] The server binary: settings → logging → application → serve, or an
//! operator command (see `sesame --help`).
use sesame::{cli, config::Settings, startup::Application, telemetry};

// Rendering a page makes many small, short-lived allocations; glibc's
// malloc/free took a quarter of the CPU of a signed-in page (bench/profile
// page). Built without transparent huge pages (Cargo.toml), which kept RSS
// over the 100 MiB budget after 10,000 sessions.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let settings = Settings::from_env()?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    if cli::run(&args, &settings).await? {
        return Ok(());
    }
    // Passkeys work only at PUBLIC_URL (a host name, not the address).
    let public_url = settings.public_url.to_string();
    let app = Application::build(settings).await?;
    tracing::info!(
        "listening on http://{}; open {public_url}",
        app.local_addr()
    );
    app.run_until_stopped().await?;
    Ok(())
}
