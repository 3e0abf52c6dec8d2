//! Runs `keepwarm serve` as a child process and finds the port it listens on.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const TOKEN: &str = "crash-test-token";

pub struct Server {
    pub child: Child,
    pub address: String,
    /// The start-up line (`keepwarm listening on …`).
    pub banner: String,
}

impl Server {
    /// Starts `keepwarm serve` on a free port with a manual clock at `clock`.
    pub fn start(db: &str, clock: &str) -> Server {
        Server::start_with(db, clock, None, &[])
    }

    /// As [`Server::start`], with a configuration directory and extra environment variables.
    pub fn start_with(
        db: &str,
        clock: &str,
        config: Option<&Path>,
        env: &[(&str, &str)],
    ) -> Server {
        let clock = format!("manual:{clock}");
        let mut args = vec!["--clock", clock.as_str()];
        if let Some(dir) = config.and_then(Path::to_str) {
            args.extend(["--config", dir]);
        }
        Server::start_args(db, &args, env)
    }

    /// `keepwarm serve --db DB --listen 127.0.0.1:0 ARGS…` with extra environment variables.
    pub fn start_args(db: &str, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_keepwarm"));
        command.args(["serve", "--db", db, "--listen", "127.0.0.1:0"]);
        command.args(args);
        let mut child = command
            .envs(env.iter().copied())
            .env("KEEPWARM_API_TOKEN", TOKEN)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn keepwarm serve");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("keepwarm listening on ") {
                    let address = rest
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    let _ = tx.send((address, line.clone()));
                }
            }
        });
        let (address, banner) = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("server did not start");
        Server {
            child,
            address,
            banner,
        }
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET url` with the test token, as JSON.
pub async fn get_json(client: &reqwest::Client, url: String) -> serde_json::Value {
    client
        .get(url)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A seeded xorshift generator: the kill tests' random instants, reproducible from the printed seed.
pub struct Rng(pub u64);

impl Rng {
    /// The next number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// A fresh seed each run (from the OS-seeded hasher keys), or the one the environment variable
/// `replay` names, so that a failing run can be replayed.
pub fn seed(replay: &str) -> u64 {
    std::env::var(replay)
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or_else(|| {
            use std::hash::{BuildHasher, Hasher};
            std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish()
        })
        | 1
}

/// The touch a text sent to the fake Twilio was for, from the `touch` parameter of its
/// `StatusCallback` (queued messages, such as alerts, name none).
pub fn touch_of(request: &keepwarm_twilio::fake::RecordedRequest) -> Option<i64> {
    let callback = url::Url::parse(request.param("StatusCallback")?).ok()?;
    let touch = callback
        .query_pairs()
        .find(|(k, _)| k == "touch")
        .and_then(|(_, v)| v.parse().ok());
    touch
}
