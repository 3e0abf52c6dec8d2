//! A real SMTP server process for tests (cargo feature `test-server`): Python's aiosmtpd behind a
//! small handler that stores every accepted message in a directory and can refuse chosen
//! recipients with a chosen reply (`550`, `450`, …).
//!
//! The server needs nothing but `python3` (with its `venv` module) and PyPI: on first use it
//! creates a venv with pinned aiosmtpd under the cargo target directory and reuses it afterwards
//! (see [`TestSmtpServer::start`]). It is for tests only; it listens on 127.0.0.1 only.
//!
//! Unix only (the setup takes an `flock`).

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Deserialize;

use crate::smtp::{SmtpConfig, SmtpSecurity};

/// The Python packages the server runs on, pinned. Changing them rebuilds the venv.
const PACKAGES: &[&str] = &["aiosmtpd==1.4.6", "atpublic==5.1", "attrs==24.2.0"];

/// The venv's directory name under the venv root; bump when `PACKAGES` changes.
const VENV_NAME: &str = "venv-aiosmtpd-1.4.6";

const SETUP_SCRIPT: &str = include_str!("test_server/setup_venv.py");
const SERVER_SCRIPT: &str = include_str!("test_server/smtp_server.py");

/// How long the server may take to say it listens, once the venv exists.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Why the test server could not start or be read. Each message says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum TestServerError {
    /// `python3` (or `$KEEPWARM_TEST_PYTHON`) could not be run.
    #[error("cannot run `{python}` to set up the test SMTP server: {source} (install python3, or set KEEPWARM_TEST_PYTHON to a Python 3.8+ interpreter)")]
    NoPython {
        /// The interpreter tried.
        python: String,
        /// Why it could not be run.
        #[source]
        source: std::io::Error,
    },
    /// Creating the venv or installing aiosmtpd from PyPI failed.
    #[error("setting up the aiosmtpd venv in {} failed ({status}); its output:\n{output}", venv.display())]
    VenvSetup {
        /// The venv directory.
        venv: PathBuf,
        /// The setup process's exit status.
        status: String,
        /// What the setup printed (pip's complaint, a missing `python3-venv`).
        output: String,
    },
    /// Reading or writing the server's files failed.
    #[error("test SMTP server file {}: {source}", path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },
    /// The server process started but did not come to accept connections.
    #[error("the test SMTP server did not start listening: {reason}; its log:\n{log}")]
    NotListening {
        /// What was seen (exited, timed out, unexpected output).
        reason: String,
        /// The server's standard error.
        log: String,
    },
    /// A stored message could not be decoded.
    #[error("stored message {} is unreadable: {reason}", path.display())]
    BadRecord {
        /// The record file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

/// One message the server accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    /// The envelope sender (`MAIL FROM`).
    pub mail_from: String,
    /// The envelope recipients that were accepted (`RCPT TO`).
    pub rcpt_tos: Vec<String>,
    /// The raw message bytes as received, headers and body, for `mail_parser`.
    pub data: Vec<u8>,
}

#[derive(Deserialize)]
struct Record {
    mail_from: String,
    rcpt_tos: Vec<String>,
    data: String,
}

/// A recipient the server refuses at `RCPT TO`.
#[derive(Debug, Clone)]
struct Rejection {
    address: String,
    code: u16,
    text: String,
}

/// Sets up a [`TestSmtpServer`] before starting it.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct TestSmtpServerBuilder {
    rejections: Vec<Rejection>,
    login: Option<(String, String)>,
    stalls: Vec<String>,
}

impl TestSmtpServerBuilder {
    /// Makes the server answer `RCPT TO:<address>` with `code text` (e.g. `550`,
    /// `"5.1.1 <x@y>: Recipient address rejected: User unknown"`, or `450` for a busy mailbox).
    /// Addresses compare case-insensitively.
    pub fn reject_recipient(mut self, address: &str, code: u16, text: &str) -> Self {
        self.rejections.push(Rejection {
            address: address.to_owned(),
            code,
            text: text.to_owned(),
        });
        self
    }

    /// Makes the server never answer `RCPT TO:<address>` (it waits an hour), like a hung server.
    pub fn stall_recipient(mut self, address: &str) -> Self {
        self.stalls.push(address.to_owned());
        self
    }

    /// Makes the server require `AUTH` (PLAIN or LOGIN, accepted without TLS) with this user name
    /// and password before `MAIL`: a wrong login is answered `535`, a `MAIL` without login `530`.
    pub fn require_login(mut self, username: &str, password: &str) -> Self {
        self.login = Some((username.to_owned(), password.to_owned()));
        self
    }

    /// Starts the server; see [`TestSmtpServer::start`].
    pub fn start(self) -> Result<TestSmtpServer, TestServerError> {
        TestSmtpServer::start_with(self)
    }
}

/// A running aiosmtpd process on 127.0.0.1; killed when dropped.
#[derive(Debug)]
pub struct TestSmtpServer {
    child: Child,
    // Held open: the server exits when it closes, so a killed test process leaves no server.
    _stdin: Option<ChildStdin>,
    port: u16,
    dir: tempfile::TempDir,
}

impl TestSmtpServer {
    /// Starts a server that accepts every message.
    ///
    /// On first use this creates a venv with pinned aiosmtpd (about 10 to 30 s, needs PyPI) in
    /// `$KEEPWARM_TEST_SMTP_VENV_DIR` if set, else in `keepwarm-test-smtp/` under the cargo
    /// target directory (found from the test executable's path), else under the system temp
    /// directory. Concurrent test processes wait for each other's setup. The interpreter is
    /// `$KEEPWARM_TEST_PYTHON` or `python3`. Any failure is an error with the reason and the
    /// output of the failing step: a test should fail on it, never skip.
    pub fn start() -> Result<Self, TestServerError> {
        Self::builder().start()
    }

    /// A builder, to refuse some recipients.
    pub fn builder() -> TestSmtpServerBuilder {
        TestSmtpServerBuilder::default()
    }

    fn start_with(builder: TestSmtpServerBuilder) -> Result<Self, TestServerError> {
        let python = ensure_venv()?;
        let dir = tempfile::Builder::new()
            .prefix("keepwarm-test-smtp-")
            .tempdir()
            .map_err(|source| io_error(&std::env::temp_dir(), source))?;
        let maildir = dir.path().join("mail");
        std::fs::create_dir(&maildir).map_err(|source| io_error(&maildir, source))?;
        let script = dir.path().join("smtp_server.py");
        write_file(&script, SERVER_SCRIPT)?;
        let config = serde_json::json!({
            "maildir": maildir,
            "reject": builder.rejections.iter().map(|r| serde_json::json!({
                "address": r.address, "code": r.code, "text": r.text,
            })).collect::<Vec<_>>(),
            "stall": builder.stalls,
            "auth": builder.login.as_ref().map(|(login, password)| serde_json::json!({
                "login": login, "password": password,
            })),
        });
        let config_path = dir.path().join("config.json");
        write_file(&config_path, &config.to_string())?;
        let log_path = dir.path().join("server.log");
        let log = std::fs::File::create(&log_path).map_err(|source| io_error(&log_path, source))?;

        let mut child = Command::new(&python)
            .arg(&script)
            .arg(&config_path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|source| io_error(&python, source))?;
        let stdin = child.stdin.take();
        let port = match wait_for_port(&mut child) {
            Ok(port) => port,
            Err(reason) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(TestServerError::NotListening {
                    reason,
                    log: std::fs::read_to_string(&log_path).unwrap_or_default(),
                });
            }
        };
        Ok(TestSmtpServer {
            child,
            _stdin: stdin,
            port,
            dir,
        })
    }

    /// The host the server listens on: `127.0.0.1`.
    pub fn host(&self) -> &str {
        "127.0.0.1"
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// An [`SmtpConfig`] for this server: no TLS, no login, a 10-second timeout.
    pub fn smtp_config(&self) -> SmtpConfig {
        let mut config = SmtpConfig::new(self.host(), self.port, SmtpSecurity::None);
        config.timeout = Duration::from_secs(10);
        config.helo_name = "keepwarm.test".to_owned();
        config
    }

    /// The directory where accepted messages are stored (`NNNNNN.json`).
    pub fn maildir(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    /// Every message accepted so far, oldest first. A message is stored before the server
    /// answers `250` to its `DATA`, so a message whose send succeeded is here.
    pub fn messages(&self) -> Result<Vec<ReceivedMessage>, TestServerError> {
        let maildir = self.maildir();
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(&maildir).map_err(|source| io_error(&maildir, source))? {
            let path = entry.map_err(|source| io_error(&maildir, source))?.path();
            if path.extension().is_some_and(|e| e == "json") {
                paths.push(path);
            }
        }
        paths.sort();
        paths.into_iter().map(|path| read_record(&path)).collect()
    }
}

impl Drop for TestSmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn io_error(path: &Path, source: std::io::Error) -> TestServerError {
    TestServerError::Io {
        path: path.to_owned(),
        source,
    }
}

fn write_file(path: &Path, contents: &str) -> Result<(), TestServerError> {
    std::fs::write(path, contents).map_err(|source| io_error(path, source))
}

fn read_record(path: &Path) -> Result<ReceivedMessage, TestServerError> {
    let bad = |reason: String| TestServerError::BadRecord {
        path: path.to_owned(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|source| io_error(path, source))?;
    let record: Record = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
    Ok(ReceivedMessage {
        mail_from: record.mail_from,
        rcpt_tos: record.rcpt_tos,
        data: STANDARD
            .decode(record.data)
            .map_err(|e| bad(e.to_string()))?,
    })
}

/// Reads the server's `LISTENING <port>` line, then checks that the port takes a connection.
fn wait_for_port(child: &mut Child) -> Result<u16, String> {
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| "no standard output to read".to_owned())?;
    let (lines, line) = mpsc::channel();
    // A thread, because a pipe read has no timeout; it keeps draining the pipe afterwards.
    std::thread::spawn(move || {
        for read in BufReader::new(stdout).lines() {
            match read {
                Ok(text) => {
                    let _ = lines.send(text);
                }
                Err(_) => break,
            }
        }
    });
    let deadline = Instant::now() + START_TIMEOUT;
    let first = loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("the server process exited with {status}"));
        }
        match line.recv_timeout(Duration::from_millis(100)) {
            Ok(text) => break text,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
                return Err(format!("the server process closed its output ({status})"));
            }
            Err(mpsc::RecvTimeoutError::Timeout) if Instant::now() > deadline => {
                return Err(format!("no LISTENING line within {START_TIMEOUT:?}"));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
    };
    let port: u16 = first
        .strip_prefix("LISTENING ")
        .and_then(|p| p.trim().parse().ok())
        .ok_or_else(|| format!("unexpected first line `{first}`"))?;
    TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(5))
        .map_err(|e| format!("port {port} announced but refuses connections: {e}"))?;
    Ok(port)
}

/// Where venvs live: see [`TestSmtpServer::start`].
fn venv_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("KEEPWARM_TEST_SMTP_VENV_DIR") {
        return PathBuf::from(dir);
    }
    // Cargo marks its target directory with CACHEDIR.TAG; test binaries live below it.
    let target_dir = std::env::current_exe().ok().and_then(|exe| {
        exe.ancestors()
            .find(|dir| dir.join("CACHEDIR.TAG").is_file())
            .map(Path::to_owned)
    });
    target_dir
        .unwrap_or_else(std::env::temp_dir)
        .join("keepwarm-test-smtp")
}

/// Makes sure the venv exists (creating it under a lock if not) and returns its interpreter.
fn ensure_venv() -> Result<PathBuf, TestServerError> {
    // Threads of one test process take turns here; other processes wait on the setup's flock.
    static SETUP: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = SETUP
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let root = venv_root();
    let venv = root.join(VENV_NAME);
    let python = venv.join("bin").join("python");
    let wanted = PACKAGES.join("\n") + "\n";
    let marker = venv.join("KEEPWARM_READY");
    if std::fs::read_to_string(&marker).is_ok_and(|m| m == wanted) && python.exists() {
        return Ok(python);
    }

    std::fs::create_dir_all(&root).map_err(|source| io_error(&root, source))?;
    let script = root.join("setup_venv.py");
    // Written to a unique name and renamed, as other test processes may be doing the same.
    let unique = root.join(format!("setup_venv.{}.py", std::process::id()));
    write_file(&unique, SETUP_SCRIPT)?;
    std::fs::rename(&unique, &script).map_err(|source| io_error(&script, source))?;

    let system_python =
        std::env::var("KEEPWARM_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let started = Instant::now();
    eprintln!(
        "keepwarm-email: setting up the test SMTP server's venv in {} (first run only)",
        venv.display()
    );
    let output = Command::new(&system_python)
        .arg(&script)
        .arg(&venv)
        .args(PACKAGES)
        .stdin(Stdio::null())
        .output()
        .map_err(|source| TestServerError::NoPython {
            python: system_python.clone(),
            source,
        })?;
    if !output.status.success() || !python.exists() {
        return Err(TestServerError::VenvSetup {
            venv,
            status: output.status.to_string(),
            output: format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
        });
    }
    eprintln!(
        "keepwarm-email: test SMTP venv ready after {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(python)
}
