use super::*;
use crate::condition::parse_condition;
use crate::lead::SourceKind;

fn block(texts: &[&str]) -> Block {
    Block {
        name: "b".into(),
        channel: Channel::Sms,
        variants: texts.iter().map(|t| Variant::new(*t)).collect(),
        allow_lead_links: false,
        purpose: crate::compliance::MessagePurpose::Marketing,
    }
}

fn facts() -> MessageFacts {
    MessageFacts {
        language: "en".into(),
        condition: None,
        source: SourceKind::Internet,
        trade_in: false,
        payment_known: false,
        timeframe_known: false,
        vehicle_known: false,
        windows_known: false,
        in_stock: false,
        price_known: false,
        visit_age_hours: 0,
    }
}

fn render(b: &Block, cx: &MessageContext, used: &[usize], seed: u64) -> Option<Rendered> {
    render_with(b, cx, &facts(), used, seed)
}

fn render_with(
    b: &Block,
    cx: &MessageContext,
    facts: &MessageFacts,
    used: &[usize],
    seed: u64,
) -> Option<Rendered> {
    render_block(
        b,
        &Choice {
            context: cx,
            facts,
            used,
            seed,
        },
    )
}

fn context(with_vehicle: bool) -> MessageContext {
    let mut c = MessageContext::default();
    c.set(Placeholder::FirstName, "Dana");
    c.set(Placeholder::OwnerFirstName, "Sam");
    if with_vehicle {
        c.set(Placeholder::Vehicle, "2024 Honda CR-V");
    }
    c
}

#[test]
fn lead_values_with_links_or_phone_numbers_are_not_put_in_messages() {
    for hostile in [
        "Honda Visit http://evil.example now",
        "Civic www.evil.example",
        "Civic, see evil.example/deal",
        "Call 312-555-0199",
        "Text (312) 555 0199",
    ] {
        assert_eq!(clean_lead_value(hostile), None, "{hostile}");
    }
    for fine in [
        "2022 Honda Civic EX-L",
        "CR-V 1.5T",
        "Mr. O'Brien",
        "F-150 Lariat 4x4",
    ] {
        assert_eq!(clean_lead_value(fine).as_deref(), Some(fine), "{fine}");
    }
}

#[test]
fn lead_values_are_cut_at_a_word_and_cleaned_of_invisible_characters() {
    let long = "Accord ".repeat(300);
    let cleaned = clean_lead_value(&long).unwrap_or_default();
    assert!(cleaned.chars().count() <= MAX_LEAD_VALUE_CHARS, "{cleaned}");
    assert!(cleaned.starts_with("Accord Accord") && !cleaned.ends_with(' '));
    assert_eq!(
        clean_lead_value("An\u{202E}na\u{0}\n Lee\u{200B}").as_deref(),
        Some("Anna Lee")
    );
}

#[test]
fn a_variant_using_a_hostile_lead_value_falls_back_to_the_generic_one() {
    let b = block(&[
        "Hi {{first_name}}, the {{vehicle}} is here",
        "Hi from {{dealership}}",
    ]);
    let mut cx = MessageContext::default();
    cx.set(Placeholder::FirstName, "Ann");
    cx.set(
        Placeholder::Vehicle,
        "2022 Honda Visit http://evil.example now",
    );
    cx.set(Placeholder::Dealership, "Lakeside Honda");
    let r = render(&b, &cx, &[], 0).unwrap_or_else(|| panic!("no variant"));
    assert_eq!(r.body, "Hi from Lakeside Honda");
    assert!(r.fell_back);
    cx.set(Placeholder::Vehicle, "Civic ".repeat(400));
    let r = render(&b, &cx, &[], 0).unwrap_or_else(|| panic!("no variant"));
    assert!(r.body.len() < 100, "{}", r.body);
}

#[test]
fn a_block_that_allows_lead_links_keeps_a_link_or_phone_from_the_lead() {
    let mut b = block(&[
        "Here is the listing you sent: {{vehicle}}",
        "Thanks, {{dealership}}",
    ]);
    let mut cx = MessageContext::default();
    cx.set(Placeholder::Vehicle, "https://cars.example/listing/42");
    cx.set(Placeholder::Dealership, "Lakeside Honda");
    let body =
        |b: &Block, cx: &MessageContext| render(b, cx, &[], 0).map(|r| r.body).unwrap_or_default();
    assert_eq!(body(&b, &cx), "Thanks, Lakeside Honda");
    b.allow_lead_links = true;
    assert_eq!(
        body(&b, &cx),
        "Here is the listing you sent: https://cars.example/listing/42"
    );
    cx.set(Placeholder::Vehicle, "call 312-555-0199");
    assert_eq!(
        body(&b, &cx),
        "Here is the listing you sent: call 312-555-0199"
    );
}

#[test]
fn a_text_over_the_segment_limit_at_send_time_goes_shorter_or_not_at_all() {
    let long = format!(
        "Hi {{{{first_name}}}}, {}",
        "thanks for asking about the truck. ".repeat(6)
    );
    let b = block(&[
        &long,
        "Hi {{first_name}}, it's {{owner_first_name}}. Any questions?",
    ]);
    let cx = context(false);
    let f = facts();
    let choice = Choice {
        context: &cx,
        facts: &f,
        used: &[],
        seed: 0,
    };
    let rendered = render_block(&b, &choice).unwrap_or_else(|| panic!("no variant"));
    assert_eq!(rendered.variant, 0, "the specific variant is chosen first");
    assert!(crate::sms::sms_length(&rendered.body).segments > 1);
    let fitted = fit_sms(&b, &choice, rendered.clone(), 1).unwrap_or_else(|| panic!("none fits"));
    assert_eq!(
        (fitted.variant, fitted.body.as_str(), fitted.fell_back),
        (1, "Hi Dana, it's Sam. Any questions?", true)
    );
    assert_eq!(
        fit_sms(&b, &choice, rendered.clone(), 2).map(|r| r.variant),
        Some(0)
    );
    let only_long = block(&[&long]);
    assert!(fit_sms(&only_long, &choice, rendered, 1).is_none());
}

#[test]
fn placeholders_are_found_with_or_without_fallbacks() {
    assert_eq!(
        placeholders_in("Hi {{first_name|there}}, {{ vehicle }} {{broken"),
        ["first_name", "vehicle"]
    );
    assert_eq!(
        slots_in("Hi {{ first_name | there }}"),
        [("first_name", Some("there"))]
    );
}

#[test]
fn a_missing_context_falls_back_to_the_generic_variant() {
    let b = block(&[
        "Hi {{first_name}}, the {{vehicle}} is here.",
        "Hi, it's {{owner_first_name}}.",
    ]);
    let r = render(&b, &context(false), &[], 0).unwrap_or_else(|| panic!("none"));
    assert_eq!(r.body, "Hi, it's Sam.");
    assert!(r.fell_back);
}

#[test]
fn one_empty_placeholder_keeps_the_customers_name_through_its_fallback() {
    let b = block(&[
        "Hi {{first_name}}, thanks for asking about the {{vehicle}}.",
        "Hi {{first_name|there}}, it's {{owner_first_name}}. Thanks for reaching out.",
    ]);
    assert!(b.variants[1].is_generic() && !b.variants[0].is_generic());
    let r = render(&b, &context(false), &[], 0).unwrap_or_else(|| panic!("none"));
    assert_eq!(r.body, "Hi Dana, it's Sam. Thanks for reaching out.");
    let mut nameless = MessageContext::default();
    nameless.set(Placeholder::OwnerFirstName, "Sam");
    let r = render(&b, &nameless, &[], 0).unwrap_or_else(|| panic!("none"));
    assert_eq!(r.body, "Hi there, it's Sam. Thanks for reaching out.");
}

#[test]
fn a_customer_named_like_the_owner_hears_the_owners_full_name() {
    let mut cx = MessageContext::default();
    cx.set(Placeholder::FirstName, "ALEX");
    cx.set_owner("Alex Chen", "Alex");
    let b = block(&["Hi {{first_name}}, {{owner_first_name}} at Lakeside Motors."]);
    let r = render(&b, &cx, &[], 0).unwrap_or_else(|| panic!("none"));
    assert_eq!(r.body, "Hi ALEX, Alex Chen at Lakeside Motors.");
    let mut other = MessageContext::default();
    other.set(Placeholder::FirstName, "Dana");
    other.set_owner("Alex Chen", "Alex");
    assert_eq!(other.get("owner_first_name"), Some("Alex"));
}

#[test]
fn context_specific_variants_come_first() {
    let b = block(&[
        "Hi, it's {{owner_first_name}}.",
        "Hi {{first_name}}, the {{vehicle}} is here.",
    ]);
    for seed in 0..5 {
        let r = render(&b, &context(true), &[], seed).unwrap_or_else(|| panic!("none"));
        assert_eq!(r.body, "Hi Dana, the 2024 Honda CR-V is here.");
        assert!(!r.fell_back);
    }
}

#[test]
fn a_variant_is_never_sent_when_its_condition_fails_and_is_preferred_when_it_holds() {
    let mut b = block(&[
        "{{first_name}}, the used {{vehicle}} has a full inspection report.",
        "{{first_name}}, want a number on your {{trade_in}}?",
        "Hi {{first_name|there}}, any questions?",
    ]);
    b.variants[0].when = parse_condition("condition == 'used'").ok();
    b.variants[1].when = parse_condition("trade_in").ok();
    let mut cx = context(true);
    cx.set(Placeholder::TradeIn, "2015 Ford Focus");
    let mut f = facts();
    f.condition = Some(crate::lead::Condition::New);
    for seed in 0..8 {
        let r = render_with(&b, &cx, &f, &[], seed).unwrap_or_else(|| panic!("none"));
        assert_eq!(r.variant, 2, "a new car never hears used-car language");
    }
    f.trade_in = true;
    for seed in 0..8 {
        let r = render_with(&b, &cx, &f, &[], seed).unwrap_or_else(|| panic!("none"));
        assert_eq!(r.variant, 1, "the trade-in variant fits this lead best");
    }
}

#[test]
fn a_variant_that_asks_what_the_customer_told_us_is_passed_over() {
    let mut b = block(&[
        "Hi {{first_name}}, are you planning to finance, lease or pay cash?",
        "Hi {{first_name|there}}, what can I help you find?",
    ]);
    b.variants[0].asks = vec![Topic::Payment];
    let mut f = facts();
    f.payment_known = true;
    for seed in 0..8 {
        let r = render_with(&b, &context(true), &f, &[], seed).unwrap_or_else(|| panic!("none"));
        assert_eq!(r.variant, 1);
    }
    f.payment_known = false;
    let r = render_with(&b, &context(true), &f, &[], 0).unwrap_or_else(|| panic!("none"));
    assert_eq!(r.variant, 0);
}

#[test]
fn a_lead_gets_variants_in_its_language_and_the_first_language_otherwise() {
    let mut b = block(&[
        "Hi {{first_name|there}}, it's {{owner_first_name}}.",
        "Hola {{first_name|}}, soy {{owner_first_name}}.",
    ]);
    b.variants[1].language = "es".into();
    let mut f = facts();
    f.language = "es".into();
    let r = render_with(&b, &context(false), &f, &[], 0).unwrap_or_else(|| panic!("none"));
    assert_eq!(r.body, "Hola Dana, soy Sam.");
    f.language = "fr".into();
    let r = render_with(&b, &context(false), &f, &[], 0).unwrap_or_else(|| panic!("none"));
    assert_eq!(r.body, "Hi Dana, it's Sam.");
}

#[test]
fn a_lead_never_gets_the_same_variant_twice_while_others_remain() {
    let b = block(&["A {{first_name}}", "B {{first_name}}", "C {{first_name}}"]);
    let mut used = Vec::new();
    for _ in 0..3 {
        let r = render(&b, &context(true), &used, 7).unwrap_or_else(|| panic!("none"));
        assert!(!used.contains(&r.variant));
        used.push(r.variant);
    }
    let r = render(&b, &context(true), &used, 7).unwrap_or_else(|| panic!("none"));
    assert!(r.repeated);
}

#[test]
fn wording_spreads_across_leads_that_share_an_owner_by_round_robin() {
    // With three salespeople in turn, one owner gets leads 1, 4, 7, ...: a rotation by lead id
    // modulo the number of variants gave every one of them the same wording at every step.
    let b = block(&["A {{first_name}}", "B {{first_name}}", "C {{first_name}}"]);
    let leads: Vec<i64> = (0..60).map(|k| 1 + 3 * k).collect();
    for step in 0..4 {
        let mut counts = [0usize; 3];
        for lead in &leads {
            let seed = rotation_seed(*lead, &b.name, step);
            let r = render(&b, &context(true), &[], seed).unwrap_or_else(|| panic!("none"));
            counts[r.variant] += 1;
        }
        assert!(
            counts.iter().all(|c| *c >= 10),
            "step {step}: {counts:?} is not spread"
        );
    }
    let wordings = |lead: i64| -> Vec<usize> {
        (0..4)
            .map(|step| {
                render(&b, &context(true), &[], rotation_seed(lead, &b.name, step))
                    .map_or(9, |r| r.variant)
            })
            .collect()
    };
    assert_ne!(wordings(1), wordings(4));
    assert_eq!(wordings(1), wordings(1), "the choice is deterministic");
}

#[test]
fn the_rotation_seed_is_fixed_across_builds() {
    assert_eq!(
        rotation_seed(1, "first_response", 0),
        rotation_seed(1, "first_response", 0)
    );
    assert_ne!(
        rotation_seed(1, "first_response", 0),
        rotation_seed(1, "first_response", 1)
    );
    assert_ne!(
        rotation_seed(1, "first_response", 0),
        rotation_seed(2, "first_response", 0)
    );
    // A hash from the standard library's RandomState would differ between runs.
    assert_eq!(rotation_seed(42, "reengage", 6), 14_948_994_554_858_998_473);
}

#[test]
fn rendering_never_leaves_a_placeholder() {
    let b = block(&["{{first_name}} {{trade_in}}"]);
    assert!(render(&b, &context(true), &[], 0).is_none());
}
