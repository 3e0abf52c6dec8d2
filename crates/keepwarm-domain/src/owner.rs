//! The owner a lead's source names: a salesperson written the way CRMs, DMSs and ADF senders write
//! people (`sam`, `Sam Rivera`, `RIVERA, SAM`, `Sam Rivera <sam@lakeside.example>`, `Sámuel`), read
//! against the staff list.
//!
//! Owns only the matching: case, accents, punctuation and spacing are ignored; a staff id, an
//! e-mail address, a full name (first and last, in either order, middle names and initials
//! skipped) or a first name only one person has names them. It must not decide what happens to a
//! name nobody has — the engine routes such a lead and warns (see [`OwnerMatch`]).

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

use crate::routing::Staff;

/// What a name the source gives for the owner matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnerMatch<'a> {
    /// Exactly one staff member.
    Staff(&'a Staff),
    /// Nobody: no id, e-mail or name is theirs.
    Unknown,
    /// Several people fit (a first name two of them share); none is chosen.
    Ambiguous(Vec<&'a Staff>),
}

impl OwnerMatch<'_> {
    /// The warning a lead carries when the named owner could not be used, `None` when it could.
    pub fn warning(&self, named: &str) -> Option<String> {
        match self {
            OwnerMatch::Staff(_) => None,
            OwnerMatch::Unknown => Some(format!(
                "`{named}` is not a staff member (no id, e-mail or name matches); the owner was chosen by routing"
            )),
            OwnerMatch::Ambiguous(who) => Some(format!(
                "`{named}` could be {}; the owner was chosen by routing",
                who.iter()
                    .map(|s| format!("{} ({})", s.name, s.id))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )),
        }
    }
}

/// Longest name read; longer text is nobody.
const MAX_NAME: usize = 320;

/// Who `named` is among `staff`. A `Name <e-mail>` mailbox is tried by its address first, then by
/// its name.
pub fn match_owner<'a>(staff: &'a [Staff], named: &str) -> OwnerMatch<'a> {
    let named = named.trim();
    if named.is_empty() || named.len() > MAX_NAME {
        return OwnerMatch::Unknown;
    }
    if let Some((name, address)) = mailbox(named) {
        return match match_one(staff, address) {
            found @ OwnerMatch::Staff(_) => found,
            by_address => match (match_one(staff, name), by_address) {
                (OwnerMatch::Unknown, other) => other,
                (by_name, _) => by_name,
            },
        };
    }
    match_one(staff, named)
}

/// `Name <address>` split in two, when written that way.
fn mailbox(text: &str) -> Option<(&str, &str)> {
    let (name, rest) = text.split_once('<')?;
    let address = rest.strip_suffix('>')?.trim();
    let name = name.trim().trim_matches('"').trim();
    (!address.is_empty()).then_some((name, address))
}

fn match_one<'a>(staff: &'a [Staff], named: &str) -> OwnerMatch<'a> {
    let wanted = fold(named);
    if wanted.is_empty() {
        return OwnerMatch::Unknown;
    }
    let exact: Vec<&Staff> = staff
        .iter()
        .filter(|s| {
            fold(&s.id) == wanted
                || s.email.as_ref().is_some_and(|e| fold(e.as_str()) == wanted)
                || fold(&s.name) == wanted
        })
        .collect();
    if !exact.is_empty() {
        return one_of(exact);
    }
    if named.contains('@') {
        return OwnerMatch::Unknown;
    }
    let words = name_words(named);
    let by_name: Vec<&Staff> = staff.iter().filter(|s| same_person(s, &words)).collect();
    if !by_name.is_empty() {
        return one_of(by_name);
    }
    match words.as_slice() {
        [only] => one_of(
            staff
                .iter()
                .filter(|s| name_words(&s.name).first() == Some(only))
                .collect(),
        ),
        _ => OwnerMatch::Unknown,
    }
}

fn one_of(found: Vec<&Staff>) -> OwnerMatch<'_> {
    match found.as_slice() {
        [] => OwnerMatch::Unknown,
        [one] => OwnerMatch::Staff(one),
        _ => OwnerMatch::Ambiguous(found),
    }
}

/// Whether the words name this person: their first and last name, in either order (`RIVERA, SAM`),
/// with any middle names or initials between ignored.
fn same_person(staff: &Staff, words: &[String]) -> bool {
    let theirs = name_words(&staff.name);
    let (Some(first), Some(last)) = (theirs.first(), theirs.last()) else {
        return false;
    };
    if theirs.len() < 2 || words.len() < 2 {
        return false;
    }
    let (a, b) = (&words[0], &words[words.len() - 1]);
    (a == first && b == last) || (a == last && b == first)
}

/// The folded words of a name, without initials (`Sam J. Rivera` → `sam`, `rivera`).
fn name_words(name: &str) -> Vec<String> {
    fold(name)
        .split(' ')
        .filter(|w| w.chars().count() > 1)
        .map(str::to_owned)
        .collect()
}

/// Lower case without accents, punctuation other than `@`, `.`, `_` and `+` inside a word turned to
/// spaces, spacing collapsed: `  RÍVERA,  Sam ` → `rivera sam`.
fn fold(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    for c in text.chars() {
        decompose_canonical(c, |d| {
            if !is_combining_mark(d) {
                plain.extend(d.to_lowercase());
            }
        });
    }
    let email = plain.contains('@');
    let mapped: String = plain
        .chars()
        .map(|c| {
            let keep = c.is_alphanumeric() || (email && matches!(c, '@' | '.' | '_' | '+' | '-'));
            if keep {
                c
            } else {
                ' '
            }
        })
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::EmailAddress;
    use crate::routing::Role;
    use rstest::rstest;

    fn person(id: &str, name: &str, email: &str) -> Staff {
        Staff {
            id: id.into(),
            name: name.into(),
            role: Role::Sales,
            phone: None,
            email: EmailAddress::parse(email).ok(),
            team: "sales".into(),
            shift: None,
            dealership: None,
        }
    }

    fn staff() -> Vec<Staff> {
        vec![
            person("sam", "Sam Rivera", "sam@lakeside.example"),
            person("alex", "Alex Chen", "alex@lakeside.example"),
            person("jo", "José Núñez", "jose@lakeside.example"),
            person("chris.a", "Chris Adams", "chris.a@lakeside.example"),
            person("chris.b", "Chris Baker", "cbaker@lakeside.example"),
            person("4417", "Dana Lee-Park", "dana@lakeside.example"),
        ]
    }

    fn who(named: &str) -> String {
        let staff = staff();
        match match_owner(&staff, named) {
            OwnerMatch::Staff(s) => s.id.clone(),
            OwnerMatch::Unknown => "unknown".into(),
            OwnerMatch::Ambiguous(list) => format!(
                "ambiguous: {}",
                list.iter()
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        }
    }

    #[rstest]
    #[case::staff_id("sam", "sam")]
    #[case::staff_id_any_case(" SAM ", "sam")]
    #[case::numeric_dms_id("4417", "4417")]
    #[case::email("Alex@Lakeside.example", "alex")]
    #[case::full_name("Sam Rivera", "sam")]
    #[case::full_name_shouting("SAM   RIVERA", "sam")]
    #[case::last_comma_first("Rivera, Sam", "sam")]
    #[case::middle_initial("Sam J. Rivera", "sam")]
    #[case::accents_given("José Núñez", "jo")]
    #[case::accents_dropped("jose nunez", "jo")]
    #[case::accents_added("Sám Rívera", "sam")]
    #[case::hyphenated_last_name("Dana Lee-Park", "4417")]
    #[case::unique_first_name("alex", "alex")]
    #[case::unique_first_name_without_accent("Jose", "jo")]
    #[case::mailbox("Alex Chen <alex@lakeside.example>", "alex")]
    #[case::mailbox_with_a_shared_address("\"Sam Rivera\" <sales@lakeside.example>", "sam")]
    #[case::mailbox_by_address_when_the_name_is_generic(
        "Sales <cbaker@lakeside.example>",
        "chris.b"
    )]
    #[case::shared_first_name("Chris", "ambiguous: chris.a,chris.b")]
    #[case::shared_first_name_with_last("chris baker", "chris.b")]
    #[case::unknown_name("Pat Doe", "unknown")]
    #[case::unknown_first_name("Pat", "unknown")]
    #[case::known_first_unknown_last("Sam Smith", "unknown")]
    #[case::unknown_email("sales@lakeside.example", "unknown")]
    #[case::generic_vendor_contact("Sales <sales@example.test>", "unknown")]
    #[case::empty("  ", "unknown")]
    #[case::punctuation_only("--", "unknown")]
    fn a_named_owner_is_read_the_way_sources_write_people(
        #[case] named: &str,
        #[case] expected: &str,
    ) {
        assert_eq!(who(named), expected, "{named}");
    }

    #[test]
    fn a_name_longer_than_anyone_writes_is_nobody() {
        assert_eq!(who(&"sam ".repeat(200)), "unknown");
    }

    #[test]
    fn the_warning_names_what_was_given_and_who_it_could_be() {
        let staff = staff();
        let unknown = match_owner(&staff, "Pat")
            .warning("Pat")
            .unwrap_or_default();
        assert!(
            unknown.contains("`Pat`") && unknown.contains("routing"),
            "{unknown}"
        );
        let ambiguous = match_owner(&staff, "chris")
            .warning("chris")
            .unwrap_or_default();
        assert!(
            ambiguous.contains("Chris Adams (chris.a) or Chris Baker (chris.b)"),
            "{ambiguous}"
        );
        assert_eq!(match_owner(&staff, "sam").warning("sam"), None);
    }
}
