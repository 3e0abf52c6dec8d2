//! The auth token, in a type that never prints itself. Owns nothing else.

/// A Twilio auth token. `Debug` and `Display` print `[redacted]`; the only way to the value is
/// [`AuthToken::expose`], which the client calls when it builds the basic-auth header and the
/// signature check calls when it computes an HMAC.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthToken(String);

impl AuthToken {
    /// Wraps a token read from configuration.
    pub fn new(token: impl Into<String>) -> Self {
        AuthToken(token.into())
    }

    /// The token itself, for the HTTP basic-auth header and HMACs only; never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthToken([redacted])")
    }
}

impl std::fmt::Display for AuthToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_never_prints_its_value() {
        let token = AuthToken::new("s3cr3t-token");
        assert_eq!(format!("{token}"), "[redacted]");
        assert!(!format!("{token:?}").contains("s3cr3t"));
        assert_eq!(token.expose(), "s3cr3t-token");
    }
}
