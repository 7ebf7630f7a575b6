//! [ssr] The server binary: settings → logging → application → serve, or an
//! operator command (see `sesame --help`).
use sesame::{cli, config::Settings, startup::Application, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let settings = Settings::from_env()?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    if cli::run(&args, &settings).await? {
        return Ok(());
    }
    let app = Application::build(settings).await?;
    tracing::info!("listening on http://{}", app.local_addr());
    app.run_until_stopped().await?;
    Ok(())
}
