//! `keepwarm ready`: asks a running server whether it is ready (`GET /readyz`), for container
//! health checks and start-up scripts, where there may be no curl. Exit 0 when it answers 200,
//! 1 with the server's reasons (or why it could not be asked) otherwise.

use std::process::ExitCode;
use std::time::Duration;

/// How long the whole check may take.
const TIMEOUT: Duration = Duration::from_secs(5);

/// Runs the check against `url`.
pub async fn run(url: &str) -> anyhow::Result<ExitCode> {
    let client = reqwest::Client::builder().timeout(TIMEOUT).build()?;
    let response = match client.get(url).send().await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("not ready: cannot reach {url}: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    if status.is_success() {
        crate::outln!("ready");
        return Ok(ExitCode::SUCCESS);
    }
    let reasons = body["reasons"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(serde_json::Value::as_str)
                .collect::<Vec<_>>()
                .join("; ")
        })
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| format!("HTTP {status}"));
    eprintln!("not ready: {reasons}");
    Ok(ExitCode::from(1))
}
