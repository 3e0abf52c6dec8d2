//! Sends composed messages over SMTP with lettre's `AsyncSmtpTransport` on tokio, and sorts every
//! failure into what the engine should do about it.
//!
//! # Error classification
//!
//! | what happened | [`SmtpSendError`] | the engine should |
//! | --- | --- | --- |
//! | a `5xx` reply to `MAIL`, `RCPT` or `DATA` (`550 user unknown`, `554 message refused`) | `Permanent` | not retry; mark the address or the message unusable |
//! | `530`, `534`, `535`, `538` (authentication required or refused) | `Config` | alert an operator; retrying will not help until the settings change |
//! | a `4xx` reply (`450 mailbox busy`, `421 try later`, greylisting) | `Transient` | retry later |
//! | connection refused or reset, DNS failure, no answer within [`SmtpConfig::timeout`], TLS handshake failure, a garbled reply | `Transient` | retry later |
//! | the client could not use the server as configured (no shared AUTH mechanism, STARTTLS not offered, a non-ASCII address without SMTPUTF8), or a bad relay host | `Config` | alert an operator |
//!
//! lettre's transport does not say which command a reply answered, so the classes go by reply
//! code. Each error keeps the server's code (when there was one) and its text.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::response::Response;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::Secret;

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain text, no TLS at all: only for a relay on localhost or a test server.
    None,
    /// Connect in plain text and upgrade with `STARTTLS`, which is required (usually port 587).
    StartTls,
    /// TLS from the first byte, "SMTPS" (usually port 465).
    Tls,
}

impl FromStr for SmtpSecurity {
    type Err = SmtpSendError;

    /// `none`, `starttls` or `tls` (any case), as written in configuration files.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "none" => Ok(SmtpSecurity::None),
            "starttls" => Ok(SmtpSecurity::StartTls),
            "tls" => Ok(SmtpSecurity::Tls),
            _ => Err(SmtpSendError::Config {
                code: None,
                message: format!("SMTP security `{s}` is not one of none, starttls, tls"),
            }),
        }
    }
}

/// The login for SMTP `AUTH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpCredentials {
    /// The user name.
    pub username: String,
    /// The password, redacted in `Debug` output.
    pub password: Secret,
}

/// Where and how to reach the SMTP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// The server's host name (checked against its TLS certificate) or IP address.
    pub host: String,
    /// The server's port: usually 587 for `starttls`, 465 for `tls`, 25 for a local relay.
    pub port: u16,
    /// How the connection is secured.
    pub security: SmtpSecurity,
    /// The login, if the server wants one.
    pub credentials: Option<SmtpCredentials>,
    /// How long one send may take in all, from connecting to the server's reply to the message;
    /// past it the send is abandoned as a `Transient` error. (lettre's own timeout covers only
    /// connecting, so a server that stops answering would otherwise hold the send for minutes.)
    pub timeout: Duration,
    /// The name this client gives in `EHLO`: the sending host's fully qualified name.
    pub helo_name: String,
}

impl SmtpConfig {
    /// A configuration without login, with a 30-second timeout and `localhost` as HELO name.
    pub fn new(host: impl Into<String>, port: u16, security: SmtpSecurity) -> Self {
        SmtpConfig {
            host: host.into(),
            port,
            security,
            credentials: None,
            timeout: Duration::from_secs(30),
            helo_name: "localhost".to_owned(),
        }
    }
}

/// What the server said when it accepted a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpReceipt {
    /// The reply code to the end of `DATA` (250).
    pub code: u16,
    /// The reply text, lines joined with a newline (often carries the server's queue id).
    pub message: String,
    /// The `Message-ID` header of the message that was sent, if it had one.
    pub message_id: Option<String>,
}

/// Why a message was not sent. See the [module documentation](self) for which failure is which.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmtpSendError {
    /// The server refused for good (a `5xx` reply other than an authentication one): the
    /// recipient does not exist, or the message was refused. Do not retry.
    #[error("SMTP server refused permanently ({code}): {message}")]
    Permanent {
        /// The server's reply code (`550`).
        code: u16,
        /// The server's reply text.
        message: String,
    },
    /// The message could not be sent now but may be later: a `4xx` reply, or no usable
    /// connection (refused, reset, timed out, TLS failed, garbled reply). Retry later.
    #[error("SMTP sending failed for now{}: {message}", code.map(|c| format!(" ({c})")).unwrap_or_default())]
    Transient {
        /// The server's reply code (`450`), when the server replied at all.
        code: Option<u16>,
        /// The server's reply text, or what went wrong with the connection.
        message: String,
    },
    /// The settings are wrong: login refused or required, no usable AUTH mechanism, STARTTLS
    /// not offered, an unknown security mode. Retrying will not help; an operator must look.
    #[error("SMTP configuration problem{}: {message}", code.map(|c| format!(" ({c})")).unwrap_or_default())]
    Config {
        /// The server's reply code (`535`), when the server replied.
        code: Option<u16>,
        /// The server's reply text, or what is wrong.
        message: String,
    },
}

impl SmtpSendError {
    /// Whether sending the same message again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, SmtpSendError::Transient { .. })
    }

    /// Sorts one lettre error; see the [module documentation](self).
    fn classify(error: &lettre::transport::smtp::Error) -> Self {
        if let Some(code) = error.status() {
            let code = u16::from(code);
            // For a reply error lettre keeps the server's text as the error's source.
            let message = std::error::Error::source(error)
                .map_or_else(|| error.to_string(), ToString::to_string);
            return match code {
                530 | 534 | 535 | 538 => SmtpSendError::Config {
                    code: Some(code),
                    message,
                },
                500..=599 => SmtpSendError::Permanent { code, message },
                _ => SmtpSendError::Transient {
                    code: Some(code),
                    message,
                },
            };
        }
        let message = error_chain(error);
        if error.is_client() {
            SmtpSendError::Config {
                code: None,
                message,
            }
        } else {
            SmtpSendError::Transient {
                code: None,
                message,
            }
        }
    }
}

/// `error: source: source…`, so the cause (`Connection refused (os error 111)`) is not lost.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Sends messages through one SMTP server: one connection per message (`EHLO`, optional
/// `STARTTLS` and `AUTH`, the message, `QUIT`).
///
/// lettre's connection pool is left out on purpose: it spawns a tokio task when the transport is
/// built, which panics outside a runtime, and a dealership's follow-up volume does not need it.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    config: SmtpConfig,
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer for `config`. Does not connect yet; fails only with
    /// [`SmtpSendError::Config`] (a host name unusable for TLS, an invalid HELO name).
    pub fn new(config: SmtpConfig) -> Result<Self, SmtpSendError> {
        let config_error = |message: String| SmtpSendError::Config {
            code: None,
            message,
        };
        if config.helo_name.is_empty()
            || config
                .helo_name
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(config_error(format!(
                "HELO name `{}` must be a host name",
                config.helo_name
            )));
        }
        let builder = match config.security {
            SmtpSecurity::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.clone())
            }
            SmtpSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                    .map_err(|e| config_error(error_chain(&e)))?
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)
                .map_err(|e| config_error(error_chain(&e)))?,
        };
        let mut builder = builder
            .port(config.port)
            .timeout(Some(config.timeout))
            .hello_name(ClientId::Domain(config.helo_name.clone()));
        if let Some(credentials) = &config.credentials {
            builder = builder.credentials(Credentials::new(
                credentials.username.clone(),
                credentials.password.expose().to_owned(),
            ));
        }
        Ok(SmtpMailer {
            transport: builder.build(),
            config,
        })
    }

    /// The configuration this mailer was built from.
    pub fn config(&self) -> &SmtpConfig {
        &self.config
    }

    /// Sends `message` to the recipients of its envelope (its `To`, `Cc` and `Bcc`), from its
    /// `From` address. Returns the server's acceptance, or the classified failure.
    pub async fn send(&self, message: &Message) -> Result<SmtpReceipt, SmtpSendError> {
        let sending = self.transport.send(message.clone());
        let response: Response = tokio::time::timeout(self.config.timeout, sending)
            .await
            .map_err(|_| SmtpSendError::Transient {
                code: None,
                message: format!(
                    "no answer from {}:{} within {:?}",
                    self.config.host, self.config.port, self.config.timeout
                ),
            })?
            .map_err(|e| SmtpSendError::classify(&e))?;
        Ok(SmtpReceipt {
            code: u16::from(response.code()),
            message: response.message().collect::<Vec<_>>().join("\n"),
            message_id: message.headers().get_raw("Message-ID").map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_modes_parse_from_their_config_names() {
        assert_eq!("none".parse::<SmtpSecurity>(), Ok(SmtpSecurity::None));
        assert_eq!(
            "STARTTLS".parse::<SmtpSecurity>(),
            Ok(SmtpSecurity::StartTls)
        );
        assert_eq!("tls".parse::<SmtpSecurity>(), Ok(SmtpSecurity::Tls));
        assert!(matches!(
            "ssl".parse::<SmtpSecurity>(),
            Err(SmtpSendError::Config { .. })
        ));
    }

    #[test]
    fn the_password_never_shows_in_debug_output() {
        let mut config = SmtpConfig::new("smtp.example.com", 587, SmtpSecurity::StartTls);
        config.credentials = Some(SmtpCredentials {
            username: "sender".to_owned(),
            password: Secret::new("p4ssw0rd-p4ssw0rd"),
        });
        let mailer = SmtpMailer::new(config).unwrap();
        let debug = format!("{mailer:?}");
        assert!(!debug.contains("p4ssw0rd"), "{debug}");
        assert!(debug.contains("sender"));
    }

    #[test]
    fn a_helo_name_with_spaces_is_a_config_error() {
        let mut config = SmtpConfig::new("127.0.0.1", 25, SmtpSecurity::None);
        config.helo_name = "my host".to_owned();
        assert!(matches!(
            SmtpMailer::new(config),
            Err(SmtpSendError::Config { .. })
        ));
    }
}
