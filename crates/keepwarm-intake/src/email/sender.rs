//! The lead provider behind a sender address.
//!
//! Owns the table of known lead-provider domains. A subdomain counts as its parent
//! (`leads.cars.com` is Cars.com); an unknown domain is named by itself.

/// Known lead-provider domains and the names keepwarm records for them.
const PROVIDERS: &[(&str, &str)] = &[
    ("cars.com", "Cars.com"),
    ("autotrader.com", "Autotrader"),
    ("cargurus.com", "CarGurus"),
    ("truecar.com", "TrueCar"),
    ("edmunds.com", "Edmunds"),
    ("kbb.com", "Kelley Blue Book"),
    ("carfax.com", "CARFAX"),
];

/// The provider name for a sender address (`leads@cars.com` → `Cars.com`); the domain itself when
/// it is not a known provider; `None` without a domain.
pub(crate) fn provider_for_address(address: &str) -> Option<String> {
    let (_, domain) = address.trim().rsplit_once('@')?;
    let domain = domain.trim().trim_end_matches('>').to_ascii_lowercase();
    if domain.is_empty() {
        return None;
    }
    Some(provider_for_domain(&domain))
}

/// The provider name for a mail domain (`reply.cargurus.com` → `CarGurus`), or the domain itself.
pub fn provider_for_domain(domain: &str) -> String {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    PROVIDERS
        .iter()
        .find(|(known, _)| {
            domain == *known
                || domain
                    .strip_suffix(known)
                    .is_some_and(|head| head.ends_with('.'))
        })
        .map_or(domain.clone(), |(_, name)| (*name).to_owned())
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("leads@cars.com", Some("Cars.com"))]
    #[case("noreply@leads.autotrader.com", Some("Autotrader"))]
    #[case("Dealer-Leads@CarGurus.com", Some("CarGurus"))]
    #[case("x@truecar.com", Some("TrueCar"))]
    #[case("x@edmunds.com", Some("Edmunds"))]
    #[case("x@kbb.com", Some("Kelley Blue Book"))]
    #[case("x@carfax.com", Some("CARFAX"))]
    #[case("web@smithhonda.com", Some("smithhonda.com"))]
    #[case("x@notcars.com", Some("notcars.com"))]
    #[case("no-domain", None)]
    fn a_sender_address_names_its_provider(#[case] address: &str, #[case] expected: Option<&str>) {
        assert_eq!(provider_for_address(address).as_deref(), expected);
    }
}
