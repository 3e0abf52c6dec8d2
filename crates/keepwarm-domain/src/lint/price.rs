//! Price claims: a message may state a price only when the lead's own data proves it.
//!
//! Three kinds of wording are read in a variant's template (placeholders aside, so a customer's own
//! `{{payment}}` is never read as our claim):
//! - a fixed amount or rate written into the text (`$299`, `0% APR`, `$0 down`): the same words go
//!   to every lead the variant reaches, and no lead's data proves a fixed number, so it is always
//!   a problem;
//! - the vehicle's price, `{{vehicle_price}}`: true only for a lead whose document carries the
//!   price it was listed at, so the variant must be guarded by `price_known`;
//! - an offer (a price drop, a discount, a rebate, "no money down"): nothing keepwarm holds about a
//!   lead proves one, so it is always a problem; a person makes offers, in their own message.
//!
//! This module only reads text; [`super::lint_variant`] reports what it finds.

use crate::blocks::Variant;
use crate::condition::parse_condition;

/// Offers no lead data proves, English and Spanish, matched on word boundaries without regard to
/// case.
pub const OFFER_PHRASES: &[&str] = &[
    "price drop",
    "price dropped",
    "price reduced",
    "price reduction",
    "reduced price",
    "lowered the price",
    "marked down",
    "below msrp",
    "under msrp",
    "under invoice",
    "discount",
    "rebate",
    "no money down",
    "zero down",
    "nothing down",
    "0% apr",
    "0% financing",
    "zero percent",
    "special financing",
    "special apr",
    "bajó de precio",
    "precio rebajado",
    "rebaja",
    "descuento",
    "reembolso",
    "bonificación",
    "sin enganche",
    "sin pago inicial",
    "0% de interés",
    "financiamiento especial",
];

/// What the price wording of `variant` gets wrong, each as one sentence.
pub fn price_problems(variant: &Variant) -> Vec<String> {
    let mut problems = Vec::new();
    let words = super::without_placeholders(&variant.text.to_lowercase());
    if let Some(amount) = fixed_amount(&words) {
        problems.push(format!(
            "states a fixed price, payment or rate (\"{amount}\"): no lead's data proves the same number for everyone; use {{{{vehicle_price}}}} under `when = \"price_known\"`, or leave prices to a person"
        ));
    }
    for phrase in OFFER_PHRASES {
        if super::contains_phrase(&words, phrase) {
            problems.push(format!(
                "promises an offer (\"{phrase}\") that no lead's data can prove; leave offers to a person's message"
            ));
        }
    }
    let uses_price = crate::blocks::placeholders_in(&variant.text).contains(&"vehicle_price");
    let guarded = variant
        .when
        .as_ref()
        .zip(parse_condition("price_known").ok())
        .is_some_and(|(w, proof)| w.requires_all(&proof));
    if uses_price && !guarded {
        problems.push(
            "states the vehicle's price ({{vehicle_price}}) without a condition proving it: add `when = \"price_known\"`".into(),
        );
    }
    problems
}

/// The first fixed amount in `text`: a currency sign before a digit (`$299`, `$ 0`, `€50`) or a
/// number before `%` (`0%`, `2.9 %`), as written.
fn fixed_amount(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if matches!(c, '$' | '€' | '£') {
            let rest: String = chars[i + 1..].iter().collect();
            let digits: String = rest
                .trim_start()
                .chars()
                .take_while(|d| d.is_ascii_digit() || matches!(d, ',' | '.'))
                .collect();
            if digits.chars().next().is_some_and(|d| d.is_ascii_digit()) {
                return Some(format!("{c}{}", digits.trim_end_matches(['.', ','])));
            }
        }
        if *c == '%' {
            let before: String = chars[..i].iter().collect();
            let number: String = before
                .trim_end()
                .chars()
                .rev()
                .take_while(|d| d.is_ascii_digit() || *d == '.')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            if number.chars().any(|d| d.is_ascii_digit()) {
                return Some(format!("{number}%"));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn variant(text: &str, when: Option<&str>) -> Variant {
        let mut v = Variant::new(text);
        v.when = when.and_then(|w| parse_condition(w).ok());
        v
    }

    #[rstest]
    #[case::fixed_price("Hi {{first_name}}, the {{vehicle}} is only $29,995 this week.", None, &["$29,995"])]
    #[case::fixed_payment("Drive it for $299/mo.", Some("price_known"), &["$299"])]
    #[case::zero_apr("Ask about 0% APR on the {{vehicle}}.", None, &["0%", "0% apr"])]
    #[case::spaced_rate("Rates from 2.9 % this month.", None, &["2.9%"])]
    #[case::no_money_down("No money down on the {{vehicle}}!", None, &["no money down"])]
    #[case::zero_down("$0 down, drive home today", None, &["$0"])]
    #[case::price_drop("Good news: a price drop on the {{vehicle}}.", Some("in_stock"), &["price drop"])]
    #[case::rebate("There's a rebate on it right now.", None, &["rebate"])]
    #[case::discount_spanish("Hay un descuento en el {{vehicle}}.", None, &["descuento"])]
    #[case::no_down_payment_spanish("Llévatelo sin enganche.", None, &["sin enganche"])]
    #[case::unguarded_vehicle_price("It's listed at {{vehicle_price}}.", None, &["{{vehicle_price}}"])]
    #[case::guarded_by_or("It's listed at {{vehicle_price}}.", Some("price_known or in_stock"), &["{{vehicle_price}}"])]
    fn price_wording_the_data_cannot_prove_is_flagged(
        #[case] text: &str,
        #[case] when: Option<&str>,
        #[case] expected: &[&str],
    ) {
        let found = price_problems(&variant(text, when));
        assert_eq!(found.len(), expected.len(), "{text}: {found:?}");
        for (problem, quoted) in found.iter().zip(expected) {
            assert!(problem.contains(quoted), "{text}: {problem}");
        }
    }

    #[rstest]
    #[case::vehicle_price_guarded("It's listed at {{vehicle_price}}.", Some("price_known"))]
    #[case::guarded_with_more(
        "The {{vehicle}} at {{vehicle_price}} is here.",
        Some("in_stock and price_known")
    )]
    #[case::the_customers_own_payment("Still aiming for {{payment}}? Reply STOP to opt out", None)]
    #[case::the_customers_own_down_payment("With {{down_payment}}, we can work it out.", None)]
    #[case::no_price_at_all("Hi {{first_name|there}}, want to see the {{vehicle}} Saturday?", None)]
    #[case::percent_word_without_number("We're 100 percent sure you'll like it.", None)]
    #[case::discount_inside_a_word("We won't be discountenanced.", None)]
    fn wording_the_data_proves_or_that_states_no_price_passes(
        #[case] text: &str,
        #[case] when: Option<&str>,
    ) {
        assert_eq!(
            price_problems(&variant(text, when)),
            Vec::<String>::new(),
            "{text}"
        );
    }
}
