//! One CSV row → one lead, or the reason it cannot be one.
//!
//! Owns [`read_row`] and the row key. Values that cannot be read (a year that is not a year, a date
//! that is not a date, a VIN of the wrong shape) are left out with a warning naming the column; the
//! row is an error only when it names nobody (no name, phone or e-mail) or when the finished lead
//! still fails `validate_lead` (a cell longer than keepwarm stores, usually a broken quote), and
//! then the error names the column of the failing field. Consent evidence is stricter: a consent
//! column that cannot be read refuses the row, naming the column (see [`read_consent`]).

use keepwarm_domain::compliance::consent::{ConsentInput, ConsentSource};
use keepwarm_domain::lead::{
    validate_lead, Condition, CustomerInput, LeadInput, PhoneKind, ServiceInput, SourceInput,
    VehicleInput,
};
use keepwarm_domain::SourceKind;

use super::date::parse_date;
use super::mapping::{ColumnMapping, Field};
use super::{CsvRow, RowError};
use crate::consent::{parse_at, parse_basis, parse_channels, source_of};
use crate::lead::{
    codes, date_by_fallback, normalize_lead_contacts, IntakeLead, IntakeOptions, IntakeWarning,
};
use crate::limits::{enforce_limits, is_model_year, TextPolicy};
use crate::text::{
    clean, normalize_language, parse_amount, parse_whole, split_full_name, title_case_if_shouting,
};

/// Builds the [`CsvRow`] for one non-blank data row.
pub(crate) fn read_row(
    cells: &[String],
    mapping: &ColumnMapping,
    source_kind: SourceKind,
    row: usize,
    encoding_repaired: bool,
    opts: &IntakeOptions,
) -> CsvRow {
    let key = row_key(cells, mapping);
    let result = lead_from_cells(
        &Cells { cells, mapping },
        source_kind,
        row,
        encoding_repaired,
        opts,
    );
    CsvRow { row, key, result }
}

struct Cells<'a> {
    cells: &'a [String],
    mapping: &'a ColumnMapping,
}

impl Cells<'_> {
    /// The cleaned value of a field, when its column is mapped and the cell has content.
    fn get(&self, field: Field) -> Option<String> {
        let (i, _) = self.mapping.column(field)?;
        clean(self.cells.get(i)?)
    }

    /// The header of a field's column, for messages.
    fn header(&self, field: Field) -> String {
        self.mapping
            .column(field)
            .map_or_else(|| field.name().to_owned(), |(_, h)| h.to_owned())
    }
}

fn lead_from_cells(
    cells: &Cells<'_>,
    source_kind: SourceKind,
    row: usize,
    encoding_repaired: bool,
    opts: &IntakeOptions,
) -> Result<IntakeLead, RowError> {
    let mut warnings = Vec::new();
    if encoding_repaired {
        warnings.push(IntakeWarning::new(
            codes::ENCODING_REPAIRED,
            format!("row {row}: cells that were not UTF-8 were read as Windows-1252"),
        ));
    }
    let (customer, kinds) = read_customer(cells, &mut warnings);
    if customer.first_name.is_none()
        && customer.last_name.is_none()
        && customer.full_name.is_none()
        && customer.phones.is_empty()
        && customer.emails.is_empty()
    {
        return Err(RowError {
            row,
            column: None,
            message: "no name, phone number or e-mail address".into(),
        });
    }
    let vehicle = read_vehicle(cells, &mut warnings);
    let mut date = |field: Field| {
        let raw = cells.get(field)?;
        match parse_date(&raw, &opts.time_zone) {
            Ok(read) => {
                if read.zone_assumed {
                    warnings.push(IntakeWarning::new(
                        codes::DATE_OFFSET_ASSUMED,
                        format!(
                            "column \"{}\": `{raw}` has no UTC offset; read in the dealership's zone ({})",
                            cells.header(field),
                            opts.time_zone.iana_name().unwrap_or("UTC")
                        ),
                    ));
                }
                Some(read.at)
            }
            Err(reason) => {
                warnings.push(IntakeWarning::new(
                    codes::INVALID_DATE,
                    format!(
                        "column \"{}\": `{raw}` is {reason}; left out",
                        cells.header(field)
                    ),
                ));
                None
            }
        }
    };
    let received_at = date(Field::ReceivedAt);
    let last_visit_at = date(Field::LastServiceAt);
    let purchased_at = date(Field::PurchasedAt);
    let need = cells.get(Field::ServiceNeed);
    let is_service = last_visit_at.is_some() || need.is_some();
    let mut input = LeadInput {
        received_at,
        source: SourceInput {
            kind: source_kind,
            provider: cells.get(Field::Provider),
            provider_lead_id: cells.get(Field::ProviderLeadId),
        },
        customer,
        vehicles: if is_service {
            Vec::new()
        } else {
            vehicle.iter().cloned().collect()
        },
        service: is_service.then(|| ServiceInput {
            last_visit_at,
            need,
            vehicle: vehicle.clone(),
        }),
        comments: cells.get(Field::Comments),
        owner: cells.get(Field::Owner),
        purchased_at,
        ..LeadInput::default()
    };
    input.consent = read_consent(cells, row, opts)?.into_iter().collect();
    if cells.get(Field::ReceivedAt).is_some() {
        let why = format!(
            "column \"{}\" could not be read",
            cells.header(Field::ReceivedAt)
        );
        date_by_fallback(&mut input, &why, None, opts, &mut warnings);
    }
    let name = |path: &str| format!("column \"{}\"", column_for_path(cells, path));
    enforce_limits(&mut input, &mut warnings, TextPolicy::Keep, &name);
    normalize_lead_contacts(&mut input, &kinds, opts);
    match validate_lead(input.clone(), &opts.region) {
        Ok(_) => Ok(IntakeLead {
            input,
            warnings,
            resend: false,
        }),
        Err(errors) => Err(RowError {
            row,
            column: errors.first().map(|e| column_for_path(cells, &e.field)),
            message: errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
        }),
    }
}

/// The row's consent record, when its consent basis column has a value: it covers every contact
/// point of the row (or the channels its consent channels column names). A value that cannot be
/// read refuses the row, naming the column: consent evidence is never guessed or half kept.
fn read_consent(
    cells: &Cells<'_>,
    row: usize,
    opts: &IntakeOptions,
) -> Result<Option<ConsentInput>, RowError> {
    let fail = |field: Field, message: String| RowError {
        row,
        column: Some(cells.header(field)),
        message,
    };
    // `none` is a basis here, not the placeholder for an empty cell that `clean` drops.
    let basis_cell = cells.get(Field::ConsentBasis).or_else(|| {
        let (i, _) = cells.mapping.column(Field::ConsentBasis)?;
        let raw = cells.cells.get(i)?.trim();
        raw.eq_ignore_ascii_case("none").then(|| raw.to_owned())
    });
    let Some(raw) = basis_cell else {
        let stray = [
            Field::ConsentChannels,
            Field::ConsentSource,
            Field::ConsentAt,
            Field::ConsentDisclosure,
            Field::ConsentDealership,
        ]
        .into_iter()
        .find(|f| cells.get(*f).is_some());
        return match stray {
            Some(field) => Err(fail(
                field,
                format!(
                    "consent evidence without a basis: fill \"{}\" (express_written, express or none)",
                    cells.header(Field::ConsentBasis)
                ),
            )),
            None => Ok(None),
        };
    };
    let basis = parse_basis(&raw).map_err(|e| fail(Field::ConsentBasis, e))?;
    let channels = match cells.get(Field::ConsentChannels) {
        Some(raw) => parse_channels(&raw).map_err(|e| fail(Field::ConsentChannels, e))?,
        None => Vec::new(),
    };
    let at = match cells.get(Field::ConsentAt) {
        Some(raw) => Some(parse_at(&raw, &opts.time_zone).map_err(|e| fail(Field::ConsentAt, e))?),
        None => None,
    };
    let source = match (cells.get(Field::ConsentSource), cells.get(Field::Provider)) {
        (Some(raw), _) => source_of(&raw),
        (None, Some(provider)) => ConsentSource {
            provider: Some(provider),
            ..ConsentSource::default()
        },
        (None, None) => {
            return Err(fail(
                Field::ConsentSource,
                "say where consent was given: a form's web address or who collected it".into(),
            ))
        }
    };
    Ok(Some(ConsentInput {
        contact: None,
        channels,
        basis,
        source,
        disclosure: cells.get(Field::ConsentDisclosure),
        at,
        dealership: cells.get(Field::ConsentDealership),
    }))
}

/// The customer, and the kind of line of each phone number its column names.
fn read_customer(
    cells: &Cells<'_>,
    warnings: &mut Vec<IntakeWarning>,
) -> (CustomerInput, Vec<(String, PhoneKind)>) {
    let whole = cells
        .get(Field::FullName)
        .map(|n| split_full_name(&n))
        .unwrap_or_default();
    let mut first = cells.get(Field::FirstName).or(whole.first);
    let mut last = cells.get(Field::LastName).or(whole.last);
    let mut full = whole.full;
    let mut shouted = false;
    for name in [&mut first, &mut last, &mut full].into_iter().flatten() {
        if let Some(titled) = title_case_if_shouting(name) {
            shouted = true;
            *name = titled;
        }
    }
    if shouted {
        warnings.push(IntakeWarning::new(
            codes::NAME_CASE_NORMALIZED,
            "a name written in capitals was put in title case".to_owned(),
        ));
    }
    let mut kinds = Vec::new();
    let mut phones = Vec::new();
    for (field, kind) in [
        (Field::CellPhone, Some(PhoneKind::Mobile)),
        (Field::Phone, None),
        (Field::HomePhone, Some(PhoneKind::Home)),
        (Field::WorkPhone, Some(PhoneKind::Work)),
        (Field::OtherPhone, None),
    ] {
        if let Some(phone) = cells.get(field) {
            if let Some(kind) = kind {
                kinds.push((phone.clone(), kind));
            }
            phones.push(phone);
        }
    }
    let language = cells.get(Field::Language);
    let preferred_language = language.as_deref().and_then(normalize_language);
    if let (Some(raw), None) = (&language, &preferred_language) {
        warnings.push(IntakeWarning::new(
            codes::UNKNOWN_LANGUAGE,
            format!(
                "column \"{}\": `{raw}` is not a language keepwarm knows; left out",
                cells.header(Field::Language)
            ),
        ));
    }
    let emails = [Field::Email, Field::AltEmail]
        .into_iter()
        .filter_map(|f| cells.get(f))
        .collect();
    let customer = CustomerInput {
        first_name: first,
        last_name: last,
        full_name: full,
        phones,
        emails,
        postal_code: cells.get(Field::PostalCode),
        preferred_language,
        ..CustomerInput::default()
    };
    (customer, kinds)
}

fn read_vehicle(cells: &Cells<'_>, warnings: &mut Vec<IntakeWarning>) -> Option<VehicleInput> {
    let year = cells.get(Field::Year).and_then(|raw| {
        let year = raw.parse::<u16>().ok().filter(|y| is_model_year(*y));
        if year.is_none() {
            warnings.push(IntakeWarning::new(
                codes::INVALID_YEAR,
                format!(
                    "column \"{}\": `{raw}` is not a model year; left out",
                    cells.header(Field::Year)
                ),
            ));
        }
        year
    });
    let condition = cells.get(Field::Condition).and_then(|raw| {
        let condition = match raw.to_ascii_lowercase().as_str() {
            "n" | "new" => Some(Condition::New),
            "u" | "used" | "cpo" | "certified" | "pre-owned" | "preowned" => Some(Condition::Used),
            _ => None,
        };
        if condition.is_none() {
            warnings.push(IntakeWarning::new(
                codes::UNKNOWN_CONDITION,
                format!(
                    "column \"{}\": `{raw}` is neither new nor used; left out",
                    cells.header(Field::Condition)
                ),
            ));
        }
        condition
    });
    let odometer = cells.get(Field::Odometer).and_then(|raw| {
        let miles = parse_whole(&raw).and_then(|m| u32::try_from(m).ok());
        if miles.is_none() {
            warnings.push(IntakeWarning::new(
                codes::INVALID_ODOMETER,
                format!(
                    "column \"{}\": `{raw}` is not a mileage; left out",
                    cells.header(Field::Odometer)
                ),
            ));
        }
        miles
    });
    let price = cells.get(Field::Price).and_then(|raw| {
        let price = parse_amount(&raw);
        if price.is_none() {
            warnings.push(IntakeWarning::new(
                codes::INVALID_PRICE,
                format!(
                    "column \"{}\": `{raw}` is not a positive amount; left out",
                    cells.header(Field::Price)
                ),
            ));
        }
        price
    });
    let vehicle = VehicleInput {
        interest: None,
        condition,
        year,
        make: cells.get(Field::Make),
        model: cells.get(Field::Model),
        trim: cells.get(Field::Trim),
        vin: cells
            .get(Field::Vin)
            .map(|v| v.replace([' ', '-'], "").to_ascii_uppercase()),
        stock: cells.get(Field::Stock),
        price,
        odometer,
    };
    (vehicle != VehicleInput::default()).then_some(vehicle)
}

/// The header of the column a lead document path came from (`vehicles[0].vin` → `VIN`).
fn column_for_path(cells: &Cells<'_>, path: &str) -> String {
    let leaf = path.rsplit('.').next().unwrap_or(path);
    let leaf = leaf.split('[').next().unwrap_or(leaf);
    let candidates: &[Field] = match leaf {
        "first_name" => &[Field::FirstName, Field::FullName],
        "last_name" => &[Field::LastName, Field::FullName],
        "full_name" => &[Field::FullName, Field::FirstName],
        "phones" => &[
            Field::CellPhone,
            Field::Phone,
            Field::HomePhone,
            Field::WorkPhone,
            Field::OtherPhone,
        ],
        "emails" => &[Field::Email, Field::AltEmail],
        "postal_code" => &[Field::PostalCode],
        "provider" => &[Field::Provider],
        "provider_lead_id" => &[Field::ProviderLeadId],
        "comments" => &[Field::Comments],
        "owner" => &[Field::Owner],
        "year" => &[Field::Year],
        "vin" => &[Field::Vin],
        "condition" => &[Field::Condition],
        "odometer" => &[Field::Odometer],
        "price" => &[Field::Price],
        "preferred_language" => &[Field::Language],
        "received_at" => &[Field::ReceivedAt],
        "last_visit_at" => &[Field::LastServiceAt],
        "need" => &[Field::ServiceNeed],
        "disclosure" => &[Field::ConsentDisclosure],
        "form_url" | "keyword" | "staff" => &[Field::ConsentSource, Field::Provider],
        "dealership" => &[Field::ConsentDealership],
        "purchased_at" => &[Field::PurchasedAt],
        _ => &[],
    };
    candidates
        .iter()
        .find_map(|f| cells.mapping.column(*f).map(|(_, h)| h.to_owned()))
        .unwrap_or_else(|| path.to_owned())
}

/// A stable key for the row's content: FNV-1a (128-bit) over each mapped field's name and its
/// normalized value (whitespace collapsed, lower-cased), in field order. The row number and the
/// unmapped columns do not count, so a re-export with the rows in another order, or with an extra
/// column, still gives the same keys. The salesperson does not count either: a re-export after the
/// lead changed hands is the same inquiry (and files imported before the column was read keep
/// their keys).
fn row_key(cells: &[String], mapping: &ColumnMapping) -> String {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let mut hash = OFFSET;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u128::from(*b);
            hash = hash.wrapping_mul(PRIME);
        }
    };
    for (field, index) in mapping.entries().filter(|(f, _)| *f != Field::Owner) {
        let value = cells
            .get(index)
            .and_then(|c| clean(c))
            .unwrap_or_default()
            .to_lowercase();
        feed(field.name().as_bytes());
        feed(b"=");
        feed(value.as_bytes());
        feed(b"\x1f");
    }
    format!("csv-{hash:032x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_key_ignores_spacing_case_and_unmapped_columns() {
        let h = strings(&["Name", "Phone", "Advisor"]);
        let mapping = ColumnMapping::auto(&h);
        let a = row_key(&strings(&["Jane  Roe", "312-555-0100", "Bob"]), &mapping);
        let b = row_key(&strings(&[" jane roe", "312-555-0100 ", "Al"]), &mapping);
        let c = row_key(&strings(&["Jane Roe", "312-555-0101", "Bob"]), &mapping);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 36);
        let with_owner = ColumnMapping::auto(&strings(&["Name", "Phone", "Salesperson"]));
        assert_eq!(
            row_key(&strings(&["Jane Roe", "312-555-0100", "Sam"]), &with_owner),
            row_key(&strings(&["Jane Roe", "312-555-0100", "Alex"]), &with_owner),
            "the salesperson is not part of the row's key"
        );
        assert_eq!(
            row_key(&strings(&["Jane Roe", "312-555-0100", "Sam"]), &with_owner),
            a,
            "a salesperson column does not change the key"
        );
    }
}
