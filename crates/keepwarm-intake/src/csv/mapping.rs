//! Which CSV column holds which lead field.
//!
//! Owns [`ColumnMapping`]: automatic matching of the headers CRMs and DMSs export, and the
//! `field=Column` overrides a person gives when the guess is wrong. Headers are compared
//! case-, space- and punctuation-insensitively (`E-mail`, `EMAIL`, `Email:` are one header), first
//! as written and then without a leading `Customer`, `Buyer`, `Contact` or `Vehicle` word
//! (`Customer First Name`, `Vehicle Year`). The first column matching a field wins.

use crate::error::IntakeError;
use crate::text::normalize_label;

/// A lead field a CSV column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Field {
    FirstName,
    LastName,
    FullName,
    CellPhone,
    Phone,
    HomePhone,
    WorkPhone,
    OtherPhone,
    Email,
    AltEmail,
    PostalCode,
    Language,
    Condition,
    Year,
    Make,
    Model,
    Trim,
    Vin,
    Stock,
    Odometer,
    Price,
    ReceivedAt,
    LastServiceAt,
    ServiceNeed,
    Provider,
    ProviderLeadId,
    Owner,
    Comments,
    ConsentBasis,
    ConsentChannels,
    ConsentSource,
    ConsentAt,
    ConsentDisclosure,
    ConsentDealership,
    PurchasedAt,
}

impl Field {
    /// Every field, in display order.
    pub(crate) const ALL: [Field; 35] = [
        Field::FirstName,
        Field::LastName,
        Field::FullName,
        Field::CellPhone,
        Field::Phone,
        Field::HomePhone,
        Field::WorkPhone,
        Field::OtherPhone,
        Field::Email,
        Field::AltEmail,
        Field::PostalCode,
        Field::Language,
        Field::Condition,
        Field::Year,
        Field::Make,
        Field::Model,
        Field::Trim,
        Field::Vin,
        Field::Stock,
        Field::Odometer,
        Field::Price,
        Field::ReceivedAt,
        Field::LastServiceAt,
        Field::ServiceNeed,
        Field::Provider,
        Field::ProviderLeadId,
        Field::Owner,
        Field::Comments,
        Field::ConsentBasis,
        Field::ConsentChannels,
        Field::ConsentSource,
        Field::ConsentAt,
        Field::ConsentDisclosure,
        Field::ConsentDealership,
        Field::PurchasedAt,
    ];

    /// The field's name in mappings and messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::FullName => "full_name",
            Field::CellPhone => "cell_phone",
            Field::Phone => "phone",
            Field::HomePhone => "home_phone",
            Field::WorkPhone => "work_phone",
            Field::OtherPhone => "other_phone",
            Field::Email => "email",
            Field::AltEmail => "alt_email",
            Field::PostalCode => "postal_code",
            Field::Language => "preferred_language",
            Field::Condition => "condition",
            Field::Year => "year",
            Field::Make => "make",
            Field::Model => "model",
            Field::Trim => "trim",
            Field::Vin => "vin",
            Field::Stock => "stock",
            Field::Odometer => "odometer",
            Field::Price => "price",
            Field::ReceivedAt => "received_at",
            Field::LastServiceAt => "last_service_at",
            Field::ServiceNeed => "service_need",
            Field::Provider => "provider",
            Field::ProviderLeadId => "provider_lead_id",
            Field::Owner => "owner",
            Field::Comments => "comments",
            Field::ConsentBasis => "consent_basis",
            Field::ConsentChannels => "consent_channels",
            Field::ConsentSource => "consent_source",
            Field::ConsentAt => "consent_at",
            Field::ConsentDisclosure => "consent_disclosure",
            Field::ConsentDealership => "consent_dealership",
            Field::PurchasedAt => "purchased_at",
        }
    }

    /// Headers (normalized) that hold this field. The field's own name always matches too.
    fn headers(self) -> &'static [&'static str] {
        match self {
            Field::FirstName => &["firstname", "fname", "first", "givenname", "forename"],
            Field::LastName => &["lastname", "lname", "last", "surname", "familyname"],
            Field::FullName => &[
                "name",
                "customername",
                "fullname",
                "customer",
                "contactname",
                "buyername",
            ],
            Field::CellPhone => &[
                "cell",
                "cellphone",
                "cellular",
                "mobile",
                "mobilephone",
                "cellnumber",
                "mobilenumber",
                "cellphonenumber",
            ],
            Field::Phone => &[
                "phone",
                "phonenumber",
                "telephone",
                "tel",
                "bestphone",
                "dayphone",
                "primaryphone",
            ],
            Field::HomePhone => &[
                "homephone",
                "home",
                "homenumber",
                "eveningphone",
                "homephonenumber",
            ],
            Field::WorkPhone => &[
                "workphone",
                "work",
                "businessphone",
                "officephone",
                "worknumber",
                "workphonenumber",
            ],
            Field::OtherPhone => &[
                "phone2",
                "otherphone",
                "altphone",
                "alternatephone",
                "secondaryphone",
            ],
            Field::Email => &["email", "emailaddress", "mail", "primaryemail", "emailaddr"],
            Field::AltEmail => &[
                "email2",
                "altemail",
                "alternateemail",
                "secondaryemail",
                "otheremail",
            ],
            Field::PostalCode => &["zip", "zipcode", "postalcode", "postcode", "zip5", "postal"],
            Field::Language => &[
                "language",
                "preferredlanguage",
                "lang",
                "languagepreference",
                "spokenlanguage",
                "primarylanguage",
            ],
            Field::Condition => &[
                "newused",
                "nu",
                "condition",
                "vehiclecondition",
                "stocktype",
            ],
            Field::Year => &["year", "modelyear", "yr"],
            Field::Make => &["make"],
            Field::Model => &["model"],
            Field::Trim => &["trim", "trimlevel", "series"],
            Field::Vin => &["vin", "vinnumber", "vehicleidentificationnumber"],
            Field::Stock => &["stock", "stocknumber", "stockno", "stocknum", "stk"],
            Field::Odometer => &["mileage", "odometer", "miles", "odo", "currentmileage"],
            Field::Price => &[
                "price",
                "vehicleprice",
                "listprice",
                "sellingprice",
                "saleprice",
                "askingprice",
                "internetprice",
                "advertisedprice",
                "retailprice",
            ],
            Field::ReceivedAt => &[
                "leaddate",
                "created",
                "createddate",
                "datecreated",
                "datereceived",
                "receiveddate",
                "received",
                "leadcreated",
                "leadcreateddate",
                "inquirydate",
                "leadreceived",
                "createdon",
            ],
            Field::LastServiceAt => &[
                "lastservicedate",
                "lastrodate",
                "lastservice",
                "lastvisit",
                "lastvisitdate",
                "lastservicevisit",
                "rodate",
                "lastrepairorderdate",
            ],
            Field::ServiceNeed => &[
                "servicedue",
                "recommendedservice",
                "recommendedservices",
                "declinedservices",
                "declinedservice",
                "nextservice",
                "serviceneed",
            ],
            Field::Provider => &[
                "leadsource",
                "source",
                "leadprovider",
                "provider",
                "leadsourcename",
            ],
            Field::ProviderLeadId => &["leadid", "leadnumber", "leadno", "providerleadid"],
            // The salesperson as CRMs and DMSs export them: a name, an e-mail or a DMS id.
            Field::Owner => &[
                "salesperson",
                "salesperson1",
                "salespersonname",
                "salesperson1name",
                "salespersonemail",
                "salespersonid",
                "primarysalesperson",
                "assignedsalesperson",
                "salesrep",
                "salesrep1",
                "salesrepname",
                "assignedsalesrep",
                "salesman",
                "salesconsultant",
                "salesassociate",
                "salesagent",
                "assignedto",
                "assigneduser",
                "leadowner",
                "userassigned",
            ],
            Field::Comments => &["comments", "comment", "notes", "note", "message", "remarks"],
            // Consent evidence (docs/consent.md): read only with a basis in the row.
            Field::ConsentBasis => &["consentbasis", "consent", "tcpaconsent", "tcpaconsentbasis"],
            Field::ConsentChannels => &["consentchannels", "consentchannel"],
            Field::ConsentSource => &["consentsource", "consentform", "consentformurl"],
            Field::ConsentAt => &[
                "consentat",
                "consentdate",
                "consentedat",
                "consentdatetime",
                "tcpaconsentdate",
            ],
            Field::ConsentDisclosure => &[
                "consentdisclosure",
                "consentlanguage",
                "consenttext",
                "consentversion",
                "tcpadisclosure",
            ],
            Field::ConsentDealership => &["consentdealership", "consentdealer"],
            // A DMS export's sale date: a do-not-call relationship for 18 months.
            Field::PurchasedAt => &[
                "purchasedate",
                "purchased",
                "purchasedon",
                "saledate",
                "solddate",
                "datesold",
                "dealdate",
                "lastpurchasedate",
            ],
        }
    }

    fn by_name(raw: &str) -> Option<Field> {
        let key = normalize_label(raw);
        Field::ALL
            .into_iter()
            .find(|f| normalize_label(f.name()) == key)
            .or_else(|| {
                Field::ALL
                    .into_iter()
                    .find(|f| f.headers().contains(&key.as_str()))
            })
    }
}

/// Headers never mapped, even when a word in them matches (`Service Advisor` is a person, not a
/// service need; a BDC agent set the appointment but does not own the lead).
const IGNORED: &[&str] = &["serviceadvisor", "advisor", "bdcagent"];

/// Leading words dropped from a header before a second matching attempt.
const PREFIXES: &[&str] = &[
    "customer", "cust", "buyer", "contact", "client", "primary", "vehicle", "veh",
];

/// Which column holds which field: field name → column header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMapping {
    /// `(field, column index, header as written)`, in field order.
    entries: Vec<(Field, usize, String)>,
}

impl ColumnMapping {
    /// Guesses the mapping from a header row, matching the headers CRMs and DMSs commonly export
    /// (`First Name`, `FName`, `Cell`, `E-mail`, `Zip`, `Stock #`, `Lead Date`, `Last RO Date`,
    /// `Lead Source`, `Notes`, ...). Unrecognized columns are ignored.
    pub fn auto(headers: &[String]) -> Self {
        let mut entries: Vec<(Field, usize, String)> = Vec::new();
        for (i, header) in headers.iter().enumerate() {
            let key = normalize_label(header);
            if key.is_empty() || IGNORED.contains(&key.as_str()) {
                continue;
            }
            let found = match_key(&key).or_else(|| {
                PREFIXES.iter().find_map(|p| {
                    key.strip_prefix(p)
                        .filter(|k| !k.is_empty())
                        .and_then(match_key)
                })
            });
            if let Some(field) = found.filter(|f| !entries.iter().any(|(g, _, _)| g == f)) {
                entries.push((field, i, header.trim().to_owned()));
            }
        }
        entries.sort_by_key(|(f, _, _)| *f);
        Self { entries }
    }

    /// Applies `field=Column` overrides, comma-separated (`first_name=First,phone=Cell`). A column
    /// mapped explicitly is taken away from any field it was guessed for; `field=` with no column
    /// unmaps the field. Column names are matched exactly, then case-insensitively, then
    /// punctuation-insensitively. An unknown field or column is an error naming it.
    pub fn with_overrides(mut self, spec: &str, headers: &[String]) -> Result<Self, IntakeError> {
        let mut explicit: Vec<Field> = Vec::new();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (field_raw, column_raw) = item
                .split_once('=')
                .ok_or_else(|| IntakeError::MappingSyntax(item.to_owned()))?;
            let field =
                Field::by_name(field_raw.trim()).ok_or_else(|| IntakeError::UnknownField {
                    field: field_raw.trim().to_owned(),
                    known: Field::ALL.map(Field::name).join(", "),
                })?;
            self.entries.retain(|(f, _, _)| *f != field);
            let column_raw = column_raw.trim();
            if column_raw.is_empty() {
                continue;
            }
            let index =
                find_column(column_raw, headers).ok_or_else(|| IntakeError::UnknownColumn {
                    column: column_raw.to_owned(),
                    available: headers
                        .iter()
                        .map(|h| h.trim())
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
            self.entries
                .retain(|(f, i, _)| *i != index || explicit.contains(f));
            let header = headers
                .get(index)
                .map_or(column_raw, |h| h.trim())
                .to_owned();
            self.entries.push((field, index, header));
            explicit.push(field);
        }
        self.entries.sort_by_key(|(f, _, _)| *f);
        Ok(self)
    }

    /// `(field, column)` pairs for display, in field order.
    pub fn fields(&self) -> Vec<(String, String)> {
        self.entries
            .iter()
            .map(|(f, _, h)| (f.name().to_owned(), h.clone()))
            .collect()
    }

    /// The column index and header holding `field`.
    pub(crate) fn column(&self, field: Field) -> Option<(usize, &str)> {
        self.entries
            .iter()
            .find(|(f, _, _)| *f == field)
            .map(|(_, i, h)| (*i, h.as_str()))
    }

    /// Whether any column can identify a customer (a name, phone or e-mail).
    pub(crate) fn has_contact_column(&self) -> bool {
        self.entries.iter().any(|(f, _, _)| {
            matches!(
                f,
                Field::FirstName
                    | Field::LastName
                    | Field::FullName
                    | Field::CellPhone
                    | Field::Phone
                    | Field::HomePhone
                    | Field::WorkPhone
                    | Field::OtherPhone
                    | Field::Email
                    | Field::AltEmail
            )
        })
    }

    /// The mapped `(field, column index)` pairs, in field order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (Field, usize)> + '_ {
        self.entries.iter().map(|(f, i, _)| (*f, *i))
    }
}

fn match_key(key: &str) -> Option<Field> {
    Field::ALL.into_iter().find(|f| f.headers().contains(&key))
}

fn find_column(raw: &str, headers: &[String]) -> Option<usize> {
    headers
        .iter()
        .position(|h| h == raw)
        .or_else(|| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(raw))
        })
        .or_else(|| {
            let key = normalize_label(raw);
            (!key.is_empty())
                .then(|| headers.iter().position(|h| normalize_label(h) == key))
                .flatten()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn an_explicit_column_is_taken_away_from_its_guessed_field() {
        let h = headers(&["Name", "Phone", "Other"]);
        let mapping = ColumnMapping::auto(&h)
            .with_overrides("cell_phone=phone, comments=Other", &h)
            .unwrap_or_default();
        assert_eq!(
            mapping.fields(),
            [
                ("full_name".to_owned(), "Name".to_owned()),
                ("cell_phone".to_owned(), "Phone".to_owned()),
                ("comments".to_owned(), "Other".to_owned()),
            ]
        );
    }

    #[test]
    fn an_empty_column_unmaps_the_field() {
        let h = headers(&["Name", "Notes"]);
        let mapping = ColumnMapping::auto(&h)
            .with_overrides("comments=", &h)
            .unwrap_or_default();
        assert_eq!(mapping.column(Field::Comments), None);
    }
}
