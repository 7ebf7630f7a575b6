//! [ssr] The server binary: settings → logging → application → serve.
use sesame::{config::Settings, startup::Application, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let settings = Settings::from_env()?;
    let app = Application::build(settings).await?;
    tracing::info!("listening on http://{}", app.local_addr());
    app.run_until_stopped().await?;
    Ok(())
}
