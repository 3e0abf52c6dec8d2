//! The `[consent]` table of `settings.toml`: the consent basis a lead's evidence gets when its
//! source sends no record of its own — by source kind and by lead provider — and the disclosure the
//! defaults stand for. Intake writes the default onto the lead's document as a record (source
//! `settings`), so the evidence says what was assumed, when, and for which dealership.

use std::collections::BTreeMap;

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::Deserialize;

use super::raw::Text;
use super::Validator;
use crate::compliance::consent::{ConsentBasis, ConsentInput, ConsentSource};
use crate::lead::SourceKind;

/// `[consent]` as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConsent {
    /// The basis for leads of each source kind (`internet`, `phone`, `sms`, `walk_in`, `service`,
    /// `import`) whose document brings no consent record: `express_written` (the source's form or
    /// sheet carries a written disclosure naming the dealership that the customer signed or
    /// ticked), `express` or `none`. `keepwarm check` warns about a source kind with none here:
    /// unless their documents bring written consent, its leads get no automated marketing calls or
    /// texts.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    sources: BTreeMap<String, Text>,
    /// The same by lead provider, as the lead's `source.provider` names it (any case); wins over
    /// `sources`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    providers: BTreeMap<String, Text>,
    /// The disclosure (its version or text) the defaults stand for, recorded on each lead's
    /// evidence.
    disclosure: Option<String>,
}

/// The consent defaults in force.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsentDefaults {
    /// By source kind.
    pub sources: BTreeMap<SourceKind, ConsentBasis>,
    /// By provider, lower-cased.
    pub providers: BTreeMap<String, ConsentBasis>,
    /// The disclosure the defaults stand for.
    pub disclosure: Option<String>,
}

impl ConsentDefaults {
    /// The record a lead of `kind` from `provider`, received at `at` for `dealership`, gets when
    /// its document brings none; `None` when the settings give no default for it.
    pub fn record_for(
        &self,
        kind: SourceKind,
        provider: Option<&str>,
        at: Timestamp,
        dealership: &str,
    ) -> Option<ConsentInput> {
        let by_provider = provider.and_then(|p| {
            self.providers
                .get(&p.to_lowercase())
                .map(|b| (*b, format!("consent.providers.\"{p}\"")))
        });
        let (basis, key) = by_provider.or_else(|| {
            self.sources
                .get(&kind)
                .map(|b| (*b, format!("consent.sources.{kind}")))
        })?;
        Some(ConsentInput {
            contact: None,
            channels: Vec::new(),
            basis,
            source: ConsentSource {
                provider: provider.map(str::to_owned),
                settings: Some(key),
                ..ConsentSource::default()
            },
            disclosure: self.disclosure.clone(),
            at: Some(at),
            dealership: Some(dealership.to_owned()),
        })
    }
}

impl Validator {
    /// `[consent]`, each basis and source kind checked.
    pub(super) fn consent(&mut self, raw: Option<&RawConsent>) -> ConsentDefaults {
        let mut out = ConsentDefaults::default();
        let Some(raw) = raw else { return out };
        out.disclosure = raw.disclosure.clone();
        for (key, value) in &raw.sources {
            let Some(basis) = self.basis(&format!("consent.sources.{key}"), value) else {
                continue;
            };
            match key.parse::<SourceKind>() {
                Ok(kind) => {
                    out.sources.insert(kind, basis);
                }
                Err(e) => self.error_at(value.span(), format!("consent.sources: {e}")),
            }
        }
        for (key, value) in &raw.providers {
            if let Some(basis) = self.basis(&format!("consent.providers.\"{key}\""), value) {
                out.providers.insert(key.to_lowercase(), basis);
            }
        }
        out
    }

    fn basis(&mut self, key: &str, value: &Text) -> Option<ConsentBasis> {
        match value.get_ref().as_str() {
            "express_written" => Some(ConsentBasis::ExpressWritten),
            "express" => Some(ConsentBasis::Express),
            "none" => Some(ConsentBasis::None),
            other => {
                self.error_at(
                    value.span(),
                    format!("{key}: `{other}` is not express_written, express or none"),
                );
                None
            }
        }
    }

    /// Warns about each source kind with no default basis: every kind is live (a lead of a kind no
    /// segment rule names goes to the fallback segment and is followed up all the same).
    pub(super) fn check_consent_sources(&mut self, defaults: &ConsentDefaults) {
        for kind in SourceKind::ALL {
            if !defaults.sources.contains_key(kind) {
                self.warn(
                    "settings.toml",
                    None,
                    format!("consent.sources has no basis for `{kind}` leads: unless their documents bring written consent, they get no automated marketing calls or texts"),
                );
            }
        }
    }
}
