//! ADF documents → normalized leads.
//!
//! Owns the mapping from the ADF parser's [`AdfLead`] (one per `<prospect>`) to
//! [`LeadInput`]. Parsing, repairs and safety limits belong to `keepwarm_adf`; this module only
//! decides where each ADF value goes and leaves out, with a warning, values the lead document
//! cannot hold. Mapping rules:
//! - `source.kind` is `internet`; `source.provider` is `<provider><name>`, else (for e-mail) the
//!   sender's provider, else `<vendor><vendorname>`; `provider_lead_id` is the prospect `<id>` whose
//!   `source` names the provider, else the first one.
//! - Phone numbers become E.164 with the extension apart and the ADF type kept as the kind of
//!   line (`cellphone` → `mobile`, `home`, `work`); cell phones come first because texting is the
//!   first channel; fax and pager numbers are left out. E-mail addresses are lower-cased; each
//!   contact keeps the text it was read from.
//! - `<requestdate>` in any form `keepwarm_adf` reads (a time without offset is in the
//!   dealership's zone); when it is missing or unreadable, the lead is dated by the e-mail's
//!   `Date:` header or the moment it arrived, with a warning saying which.
//! - The contact's `<address>` (street lines, city, region, country) goes to `customer.address`.
//! - A language the vendor gives under `<customer>` (the DTD has none: `<lang>`, `<language>`,
//!   `<preferredlanguage>` or a `lang` attribute) goes to `customer.preferred_language`; one
//!   keepwarm cannot name is left out with an `unknown_language` warning.
//! - The vendor's `<contact>` names the owner: `owner` is `Name <e-mail>` when it gives both, else
//!   whichever it gives; the engine matches it against the staff (a generic "Sales" contact matches
//!   nobody and the lead is routed, with a warning).
//! - Consent evidence: ADF 1.0 has no consent element and lead providers follow no common one, so
//!   keepwarm reads its own `<consent>` under `<customer>` (docs/consent.md): attributes `basis`
//!   (`express_written`, `express`, `none`), `channels` (`sms call email`, any of them; all when
//!   absent), `at` (when it was given; the inquiry's time when absent), `dealership` (the id it
//!   names), `formurl` (the form it was given on) and `disclosure` (a version), else the element's
//!   text as the disclosure. Each record covers the prospect's own contact points; its source is
//!   the form and the lead's provider. A record with an unreadable basis, channel or date is kept
//!   as basis `none` with an `invalid_consent` warning, so neither it nor the settings' default
//!   lets automated marketing through on it.
//! - Vehicle `<comments>` have no field of their own: they are appended to the lead's comments,
//!   each introduced by the vehicle they are about.

use jiff::Timestamp;
use keepwarm_adf::{
    parse_adf, AdfLead, ParseOptions, ProspectId, ProspectStatus, Vehicle, VendorContact,
};
use keepwarm_domain::compliance::consent::{ConsentBasis, ConsentInput, ConsentSource};
use keepwarm_domain::lead::{
    AddressInput, Condition, CustomerInput, LeadInput, PhoneKind, SourceInput, TimeframeInput,
    VehicleInput, VehicleInterest, MAX_TEXT_FIELD,
};
use keepwarm_domain::SourceKind;

use crate::consent::{parse_at, parse_basis, parse_channels};
use crate::error::IntakeError;
use crate::lead::{
    codes, date_by_fallback, normalize_lead_contacts, IntakeLead, IntakeOptions, IntakeWarning,
};
use crate::limits::{enforce_limits, truncate_at_char, TextPolicy};
use crate::text::{normalize_language, parse_amount};

/// Parses one ADF document and maps each `<prospect>` to a lead, in document order.
///
/// Only a document the ADF parser refuses (malformed beyond repair, a DTD, over the size limit) is
/// an error; everything else becomes leads with warnings.
pub fn leads_from_adf(bytes: &[u8], opts: &IntakeOptions) -> Result<Vec<IntakeLead>, IntakeError> {
    leads_from_adf_sent_by(bytes, opts, &Sender::default())
}

/// What the e-mail an ADF document came in says about it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sender {
    /// The provider named by the From address, for an ADF that names none.
    pub provider: Option<String>,
    /// The e-mail's `Date:`, for a prospect without a readable `<requestdate>`.
    pub date: Option<Timestamp>,
}

/// [`leads_from_adf`] for a document that arrived by e-mail: the sender's provider names the
/// provider when the ADF does not, and the e-mail's date dates a prospect that has none.
pub(crate) fn leads_from_adf_sent_by(
    bytes: &[u8],
    opts: &IntakeOptions,
    sender: &Sender,
) -> Result<Vec<IntakeLead>, IntakeError> {
    let parse_options = ParseOptions {
        time_zone: opts.time_zone.clone(),
        ..ParseOptions::default()
    };
    let doc = parse_adf(bytes, &parse_options)?;
    Ok(doc
        .prospects
        .iter()
        .map(|p| lead_from_prospect(p, sender, opts))
        .collect())
}

/// Maps one parsed prospect to a lead.
pub(crate) fn lead_from_prospect(p: &AdfLead, sender: &Sender, opts: &IntakeOptions) -> IntakeLead {
    let sender_provider = sender.provider.as_deref();
    let mut warnings: Vec<IntakeWarning> = p.warnings.iter().map(adf_warning).collect();

    let provider = match (&p.source.provider, sender_provider) {
        (Some(name), _) => Some(name.clone()),
        (None, Some(sender)) => {
            warnings.push(IntakeWarning::new(
                codes::PROVIDER_FROM_SENDER,
                format!(
                    "the ADF names no provider; `{sender}` was taken from the sender's address"
                ),
            ));
            Some(sender.to_owned())
        }
        (None, None) => p.source.vendor.clone(),
    };
    let provider_lead_id =
        choose_id(&p.ids, provider.as_deref()).or_else(|| p.source.provider_lead_id.clone());

    let received_at = p.received_at.as_deref().and_then(|raw| {
        raw.parse::<Timestamp>()
            .map_err(|e| {
                warnings.push(IntakeWarning::new(
                    codes::INVALID_DATE,
                    format!("requestdate: cannot read `{raw}` ({e}); left out"),
                ));
            })
            .ok()
    });

    let (mut customer, kinds) = map_customer(p, &mut warnings);
    customer.preferred_language = language_of(p, &mut warnings);
    let mut input = LeadInput {
        received_at,
        source: SourceInput {
            kind: SourceKind::Internet,
            provider,
            provider_lead_id,
        },
        customer,
        vehicles: p
            .vehicles
            .iter()
            .enumerate()
            .map(|(i, v)| map_vehicle(v, i, &mut warnings))
            .collect(),
        timeframe: p.timeframe.as_ref().and_then(|t| {
            let tf = TimeframeInput {
                description: t.description.clone(),
                earliest: t.earliest.clone(),
                latest: t.latest.clone(),
            };
            (tf != TimeframeInput::default()).then_some(tf)
        }),
        comments: comments_with_vehicle_notes(p),
        owner: p.source.vendor_contact.as_ref().and_then(owner_of),
        ..LeadInput::default()
    };
    input.consent = consent_of(p, input.source.provider.as_deref(), opts, &mut warnings);
    date_by_fallback(
        &mut input,
        "the ADF has no readable <requestdate>",
        sender.date,
        opts,
        &mut warnings,
    );
    enforce_limits(&mut input, &mut warnings, TextPolicy::Truncate, &|path| {
        path.to_owned()
    });
    normalize_lead_contacts(&mut input, &kinds, opts);
    IntakeLead {
        input,
        warnings,
        resend: p.status == ProspectStatus::Resend,
    }
}

/// Element and attribute names under `<customer>` that vendors use for the customer's language
/// (the ADF 1.0 DTD has none), compared lower-cased.
const LANGUAGE_NAMES: [&str; 7] = [
    "lang",
    "language",
    "preferredlanguage",
    "preferred_language",
    "preferred-language",
    "languagepreference",
    "xml:lang",
];

/// The customer's language from a vendor's `<customer>`/`<contact>` element or attribute outside
/// the DTD (`<contact><lang>es</lang>`, `<contact lang="es-MX">`, `<language>Spanish</language>`),
/// as a BCP 47 primary subtag; one keepwarm cannot name is left out with a warning.
fn language_of(p: &AdfLead, warnings: &mut Vec<IntakeWarning>) -> Option<String> {
    let given = p.extensions.iter().find(|e| {
        let under_customer = e.path.split('/').any(|part| part == "customer");
        let name = e.path.rsplit(['/', '@']).next().unwrap_or_default();
        under_customer && LANGUAGE_NAMES.contains(&name.to_lowercase().as_str())
    })?;
    let language = normalize_language(&given.text);
    if language.is_none() {
        warnings.push(IntakeWarning::new(
            codes::UNKNOWN_LANGUAGE,
            format!(
                "{}: `{}` is not a language keepwarm knows; left out",
                given.path, given.text
            ),
        ));
    }
    language
}

/// The consent records of the prospect's `<consent>` elements (see the module's mapping rules).
fn consent_of(
    p: &AdfLead,
    provider: Option<&str>,
    opts: &IntakeOptions,
    warnings: &mut Vec<IntakeWarning>,
) -> Vec<ConsentInput> {
    let mut records = Vec::new();
    for (i, c) in p.customer.consent.iter().enumerate() {
        let place = match c.line {
            Some(line) => format!("customer/consent[{i}] (line {line})"),
            None => format!("customer/consent[{i}]"),
        };
        let source = ConsentSource {
            form_url: c.form_url.clone(),
            provider: provider.map(str::to_owned),
            ..ConsentSource::default()
        };
        if source.is_empty() {
            warnings.push(IntakeWarning::new(
                codes::INVALID_CONSENT,
                format!("{place}: says neither where it was given (formurl) nor by which provider; left out"),
            ));
            continue;
        }
        let mut problems = Vec::new();
        let basis = match c.basis.as_deref().map(parse_basis) {
            Some(Ok(basis)) => basis,
            Some(Err(e)) => {
                problems.push(format!("basis {e}"));
                ConsentBasis::None
            }
            None => {
                problems.push("no basis".to_owned());
                ConsentBasis::None
            }
        };
        let channels = match c.channels.as_deref().map(parse_channels) {
            Some(Ok(channels)) => channels,
            Some(Err(e)) => {
                problems.push(format!("channels: {e}"));
                Vec::new()
            }
            None => Vec::new(),
        };
        let at = match c.at.as_deref().map(|raw| parse_at(raw, &opts.time_zone)) {
            Some(Ok(at)) => Some(at),
            Some(Err(e)) => {
                problems.push(format!("at: {e}"));
                None
            }
            None => None,
        };
        // A record that cannot be read in full proves nothing: it is kept as `none`, so that
        // neither it nor the settings' default for the source lets automated marketing through.
        let basis = if problems.is_empty() {
            basis
        } else {
            warnings.push(IntakeWarning::new(
                codes::INVALID_CONSENT,
                format!("{place}: {}; recorded as basis none", problems.join("; ")),
            ));
            ConsentBasis::None
        };
        let mut record = ConsentInput {
            contact: None,
            channels,
            basis,
            source,
            disclosure: c.disclosure.clone(),
            at,
            dealership: c.dealership.clone(),
        };
        // The lead document's limit, so that an oversized value cannot cost the lead.
        for (name, text) in [
            ("disclosure", &mut record.disclosure),
            ("formurl", &mut record.source.form_url),
            ("dealership", &mut record.dealership),
        ] {
            if let Some(text) = text.as_mut().filter(|t| t.len() > MAX_TEXT_FIELD) {
                truncate_at_char(text, MAX_TEXT_FIELD);
                warnings.push(IntakeWarning::new(
                    codes::TEXT_TRUNCATED,
                    format!("{place}: {name} cut to {MAX_TEXT_FIELD} bytes"),
                ));
            }
        }
        records.push(record);
    }
    records
}

/// The owner a vendor contact names, as one mailbox-style string the engine reads.
fn owner_of(contact: &VendorContact) -> Option<String> {
    match (contact.name.as_deref(), contact.email.as_deref()) {
        (Some(name), Some(email)) => Some(format!("{name} <{email}>")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
        (None, None) => None,
    }
}

fn adf_warning(w: &keepwarm_adf::Warning) -> IntakeWarning {
    let code = serde_json::to_value(w.code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{:?}", w.code));
    let message = match w.line {
        Some(line) => format!("line {line}: {}", w.message),
        None => w.message.clone(),
    };
    IntakeWarning { code, message }
}

/// The id issued by the provider when one says so, else the first id.
fn choose_id(ids: &[ProspectId], provider: Option<&str>) -> Option<String> {
    let key = |s: &str| crate::text::normalize_label(s);
    let by_provider = provider
        .map(key)
        .filter(|k| !k.is_empty())
        .and_then(|provider| {
            ids.iter().find(|id| {
                id.source.as_deref().map(key).is_some_and(|source| {
                    !source.is_empty() && (source.contains(&provider) || provider.contains(&source))
                })
            })
        });
    by_provider.or(ids.first()).map(|id| id.value.clone())
}

/// The customer, and the kind of line of each phone number the ADF typed.
fn map_customer(
    p: &AdfLead,
    warnings: &mut Vec<IntakeWarning>,
) -> (CustomerInput, Vec<(String, PhoneKind)>) {
    let c = &p.customer;
    let mut cells = Vec::new();
    let mut others = Vec::new();
    let mut kinds = Vec::new();
    for phone in &c.phones {
        let kind = match phone.kind.as_str() {
            "fax" | "pager" => {
                warnings.push(IntakeWarning::new(
                    codes::PHONE_SKIPPED,
                    format!("{} number `{}` left out", phone.kind, phone.number),
                ));
                continue;
            }
            "cellphone" => Some(PhoneKind::Mobile),
            "home" => Some(PhoneKind::Home),
            "work" => Some(PhoneKind::Work),
            _ => None,
        };
        if let Some(kind) = kind {
            kinds.push((phone.number.clone(), kind));
        }
        if kind == Some(PhoneKind::Mobile) {
            cells.push(phone.number.clone());
        } else {
            others.push(phone.number.clone());
        }
    }
    cells.extend(others);
    let address = c
        .address
        .as_ref()
        .map(|a| AddressInput {
            street: a.street.clone(),
            city: a.city.clone(),
            region: a.region.clone(),
            country: a.country.clone(),
        })
        .filter(|a| *a != AddressInput::default());
    let customer = CustomerInput {
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        full_name: c.full_name.clone(),
        phones: cells,
        emails: c.emails.clone(),
        postal_code: c.postal_code.clone(),
        address,
        preferred_contact: c.preferred_contact.clone(),
        ..CustomerInput::default()
    };
    (customer, kinds)
}

fn map_vehicle(v: &Vehicle, i: usize, warnings: &mut Vec<IntakeWarning>) -> VehicleInput {
    let path = format!("vehicles[{i}]");
    let interest = v.interest.as_deref().and_then(|raw| {
        raw.parse::<VehicleInterest>()
            .map_err(|_| {
                warnings.push(IntakeWarning::new(
                    codes::UNKNOWN_INTEREST,
                    format!("{path}.interest: unknown interest `{raw}`; left out"),
                ));
            })
            .ok()
    });
    let condition = v.condition.as_deref().and_then(|raw| {
        raw.parse::<Condition>()
            .map_err(|_| {
                warnings.push(IntakeWarning::new(
                    codes::UNKNOWN_CONDITION,
                    format!("{path}.condition: unknown condition `{raw}`; left out"),
                ));
            })
            .ok()
    });
    let price = v.price.as_deref().and_then(|raw| {
        let amount = parse_amount(raw);
        if amount.is_none() {
            warnings.push(IntakeWarning::new(
                codes::INVALID_PRICE,
                format!("{path}.price: `{raw}` is not a positive amount; left out"),
            ));
        }
        amount
    });
    let odometer = v.odometer.and_then(|miles| {
        let fits = u32::try_from(miles).ok();
        if fits.is_none() {
            warnings.push(IntakeWarning::new(
                codes::INVALID_ODOMETER,
                format!("{path}.odometer: {miles} is too large; left out"),
            ));
        }
        fits
    });
    VehicleInput {
        interest,
        condition,
        year: v.year,
        make: v.make.clone(),
        model: v.model.clone(),
        trim: v.trim.clone(),
        vin: v.vin.clone(),
        stock: v.stock.clone(),
        price,
        odometer,
    }
}

/// The customer's comments, then each vehicle's comments introduced by the vehicle.
fn comments_with_vehicle_notes(p: &AdfLead) -> Option<String> {
    let mut parts: Vec<String> = p.comments.iter().cloned().collect();
    for v in &p.vehicles {
        if let Some(note) = &v.comments {
            let label = [
                v.year.map(|y| y.to_string()),
                v.make.clone(),
                v.model.clone(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
            let label = if label.is_empty() {
                "vehicle".to_owned()
            } else {
                label
            };
            parts.push(format!("About the {label}: {note}"));
        }
    }
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

#[cfg(test)]
mod tests {
    use keepwarm_domain::lead::validate_lead;

    use super::*;

    fn leads(xml: &str) -> Vec<IntakeLead> {
        leads_from_adf(xml.as_bytes(), &IntakeOptions::default()).unwrap_or_default()
    }

    fn language_and_warnings(
        contact_extra: &str,
        contact_attr: &str,
    ) -> (Option<String>, Vec<String>) {
        let xml = format!(
            r#"<adf><prospect><customer><contact{contact_attr}><name part="full">Ana Ruiz</name>
            <phone type="cellphone">312-555-0101</phone>{contact_extra}</contact></customer>
            </prospect></adf>"#
        );
        let lead = leads(&xml).into_iter().next();
        let language = lead
            .as_ref()
            .and_then(|l| l.input.customer.preferred_language.clone());
        let codes = lead
            .map(|l| l.warnings.into_iter().map(|w| w.code).collect())
            .unwrap_or_default();
        (language, codes)
    }

    #[test]
    fn the_contacts_language_becomes_the_leads_preferred_language() {
        for (extra, attr) in [
            ("<lang>es</lang>", ""),
            ("<language>Spanish</language>", ""),
            ("<PreferredLanguage>Español</PreferredLanguage>", ""),
            ("", r#" lang="es-MX""#),
        ] {
            let (language, _) = language_and_warnings(extra, attr);
            assert_eq!(language.as_deref(), Some("es"), "{extra}{attr}");
        }
        let (language, _) = language_and_warnings("", "");
        assert_eq!(language, None);
    }

    #[test]
    fn a_language_keepwarm_cannot_name_is_left_out_with_a_warning() {
        let (language, codes) = language_and_warnings("<lang>Klingon</lang>", "");
        assert_eq!(language, None);
        assert!(codes.iter().any(|c| c == "unknown_language"), "{codes:?}");
    }

    #[test]
    fn an_unusable_price_year_vin_and_fax_are_left_out_but_the_lead_stays() {
        let xml = r#"<adf><prospect><vehicle interest="lease" status="new"><year>1492</year>
            <make>Honda</make><model>Civic</model><vin>NOT-A-VIN</vin><price>call us</price>
            </vehicle><customer><contact><name part="full">Dana Diaz</name>
            <phone type="fax">312-555-0100</phone><phone type="cellphone">312-555-0101</phone>
            </contact></customer></prospect></adf>"#;
        let lead = leads(xml)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no lead"));
        let v = &lead.input.vehicles[0];
        assert_eq!((v.year, v.price, v.vin.as_deref()), (None, None, None));
        assert_eq!(v.make.as_deref(), Some("Honda"));
        assert_eq!(v.interest, Some(VehicleInterest::Lease));
        assert_eq!(lead.input.customer.phones, ["+13125550101"]);
        let codes: Vec<_> = lead.warnings.iter().map(|w| w.code.as_str()).collect();
        for code in [
            "invalid_number",
            "phone_skipped",
            "invalid_year",
            "invalid_vin",
        ] {
            assert!(codes.contains(&code), "{code} missing from {codes:?}");
        }
        assert!(validate_lead(lead.input, "US").is_ok());
    }

    #[test]
    fn an_oversized_street_or_city_is_cut_so_the_lead_stays() {
        let long = "x".repeat(9000);
        let xml = format!(
            "<adf><prospect><customer><contact><name part=\"full\">Dana Diaz</name>\
             <phone>312-555-0101</phone><address><street>{long}</street><city>{long}</city>\
             </address></contact></customer></prospect></adf>"
        );
        let lead = leads(&xml)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no lead"));
        let address = lead.input.customer.address.clone().unwrap_or_default();
        assert_eq!(address.street[0].len(), 8 * 1024);
        assert_eq!(address.city.map(|c| c.len()), Some(8 * 1024));
        assert!(validate_lead(lead.input, "US").is_ok());
    }

    #[test]
    fn the_id_issued_by_the_provider_is_preferred() {
        let ids = [
            ProspectId {
                value: "dealer-1".into(),
                source: Some("Dealer CRM".into()),
                sequence: None,
            },
            ProspectId {
                value: "CG-9".into(),
                source: Some("cargurus".into()),
                sequence: None,
            },
        ];
        assert_eq!(choose_id(&ids, Some("CarGurus")).as_deref(), Some("CG-9"));
        assert_eq!(
            choose_id(&ids, Some("Edmunds")).as_deref(),
            Some("dealer-1")
        );
        assert_eq!(choose_id(&[], Some("Edmunds")), None);
    }
}
