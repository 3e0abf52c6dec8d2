//! Configuration tests: the starter configuration is valid, and each kind of mistake is reported with
//! its file and line.

use super::*;

fn starter_with(path: &str, edit: impl Fn(&str) -> String) -> Vec<(String, String)> {
    starter::files()
        .into_iter()
        .map(|(p, t)| {
            let t = if p == path { edit(&t) } else { t };
            (p, t)
        })
        .collect()
}

fn errors_of(files: &[(String, String)]) -> Vec<String> {
    match load_config(files) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn the_starter_configuration_is_valid_and_lint_clean() {
    let checked = load_config(&starter::files()).unwrap_or_else(|e| {
        panic!(
            "{}",
            e.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    assert!(checked.warnings.is_empty(), "{:?}", checked.warnings);
    let c = checked.config;
    assert_eq!(c.segments.len(), 4);
    assert_eq!(
        c.cadences["new_inquiry"]
            .steps
            .iter()
            .map(|s| s.day)
            .collect::<Vec<_>>(),
        [0, 0, 1, 2, 2, 4, 7, 14]
    );
    for s in &c.segments {
        assert!(c.cadences.contains_key(&s.cadence), "{}", s.name);
        assert!(c.routes.contains_key(&s.name), "{}", s.name);
    }
}

#[test]
fn an_unknown_block_is_named_with_its_line() {
    let files = starter_with("cadences/new_inquiry.toml", |t| {
        t.replacen(
            "block = \"appointment_options\"",
            "block = \"trade_appraisal\"",
            1,
        )
    });
    let errors = errors_of(&files);
    let text = &files
        .iter()
        .find(|(p, _)| p == "cadences/new_inquiry.toml")
        .unwrap()
        .1;
    let line = text
        .lines()
        .position(|l| l.contains("trade_appraisal"))
        .unwrap()
        + 1;
    assert_eq!(
        errors,
        [format!(
            "cadences/new_inquiry.toml:{line}: step 3 uses unknown block \"trade_appraisal\""
        )]
    );
}

#[test]
fn an_unknown_placeholder_is_refused() {
    let files = starter_with("blocks.toml", |t| {
        t.replacen("{{vehicle}}. Is it", "{{vehicel}}. Is it", 1)
    });
    let errors = errors_of(&files);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("blocks.toml:"), "{errors:?}");
    assert!(
        errors[0].contains("{{vehicel}}, which no lead field can fill"),
        "{errors:?}"
    );
}

#[test]
fn decreasing_step_offsets_are_refused() {
    let files = starter_with("cadences/new_inquiry.toml", |t| {
        t.replacen("day = 4", "day = 1", 1)
    });
    let errors = errors_of(&files);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("step 6 (day 1) does not come after step 5 (day 2)")),
        "{errors:?}"
    );
}

#[test]
fn unknown_staff_and_teams_in_routing_are_refused() {
    let files = starter_with("routing.toml", |t| {
        t.replacen("manager = \"morgan\"", "manager = \"nobody\"", 1)
            .replacen(
                "segment = \"aged_internet\"\nteam = \"sales\"",
                "segment = \"aged_internet\"\nteam = \"bdc-night\"",
                1,
            )
    });
    let errors = errors_of(&files);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("routing.toml:") && e.contains("unknown manager `nobody`")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("unknown team `bdc-night`")),
        "{errors:?}"
    );
}

#[test]
fn an_invalid_time_zone_is_refused() {
    let files = starter_with("dealerships.toml", |t| {
        t.replace("America/Chicago", "America/Chicgo")
    });
    let errors = errors_of(&files);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("`America/Chicgo` is not an IANA time zone"),
        "{errors:?}"
    );
}

#[test]
fn a_segment_with_no_cadence_is_refused() {
    let files = starter_with("segments.toml", |t| {
        t.replacen("cadence = \"aged_internet\"\n", "", 1)
    });
    let errors = errors_of(&files);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("segment `aged_internet` has no cadence")),
        "{errors:?}"
    );
}

#[test]
fn lint_problems_are_errors() {
    let files = starter_with("blocks.toml", |t| {
        t.replacen(
            "Thanks for reaching out. How can I help?",
            "Act now, this deal won't last. How can I help?",
            1,
        )
    });
    let errors = errors_of(&files);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("pressure language \"act now\"")),
        "{errors:?}"
    );
}

#[test]
fn the_first_sms_must_carry_the_opt_out_words() {
    let files = starter_with("blocks.toml", |t| {
        t.replacen(
            "How can I help? Reply STOP to opt out",
            "How can I help?",
            1,
        )
    });
    let errors = errors_of(&files);
    assert!(
        errors.iter().any(|e| e.contains("lacks the opt-out words")),
        "{errors:?}"
    );
}

#[test]
fn a_toml_syntax_error_has_a_line() {
    let files = starter_with("staff.toml", |t| format!("{t}\n[[staff]\n"));
    let errors = errors_of(&files);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].starts_with("staff.toml:"), "{errors:?}");
}

#[test]
fn a_missing_file_is_reported() {
    let files: Vec<_> = starter::files()
        .into_iter()
        .filter(|(p, _)| p != "routing.toml")
        .collect();
    assert!(errors_of(&files)
        .iter()
        .any(|e| e.starts_with("routing.toml: missing")));
}

/// The 1-based line of the first line of `path` containing `needle`.
fn line_with(files: &[(String, String)], path: &str, needle: &str) -> usize {
    files
        .iter()
        .find(|(p, _)| p == path)
        .unwrap()
        .1
        .lines()
        .position(|l| l.contains(needle))
        .unwrap()
        + 1
}

#[test]
fn the_starter_appointment_settings_name_their_cadences() {
    let c = load_config(&starter::files()).unwrap().config;
    let a = &c.appointments;
    assert_eq!(a.sales_cadence.as_deref(), Some("appointment_reminders"));
    assert_eq!(a.service_cadence.as_deref(), Some("appointment_reminders"));
    assert_eq!(a.no_show_cadence.as_deref(), Some("no_show_recovery"));
    assert_eq!(
        (a.no_show_grace_minutes, a.default_duration_minutes),
        (120, 60)
    );
    let befores: Vec<Option<String>> = c.cadences["appointment_reminders"]
        .steps
        .iter()
        .map(|s| s.before.map(|b| b.to_string()))
        .collect();
    assert_eq!(befores, [None, None, Some("1d".into()), Some("2h".into())]);
}

#[rstest::rstest]
#[case::bad_offset(
    "cadences/appointment_reminders.toml",
    "\nbefore = \"2h\"",
    "\nbefore = \"2 hours\"",
    "step 4: before: `2 hours` is not an offset like \"1d\", \"2h\" or \"90m\""
)]
#[case::reminders_out_of_order(
    "cadences/appointment_reminders.toml",
    "\nbefore = \"2h\"",
    "\nbefore = \"3d\"",
    "step 4 (3d before) does not come after step 3 (1d before): reminders must get closer to the appointment"
)]
#[case::day_in_an_appointment_cadence(
    "cadences/appointment_reminders.toml",
    "\nbefore = \"2h\"",
    "\nday = 2",
    "step 4: appointment cadences time reminders with `before = \"1d\"` or `\"2h\"`, not `day`"
)]
#[case::before_in_a_follow_up_cadence(
    "cadences/new_inquiry.toml",
    "day = 1",
    "day = 1\nbefore = \"1d\"",
    "step 3: `before` only applies to cadences with anchor = \"appointment\""
)]
#[case::grace_out_of_range(
    "settings.toml",
    "no_show_grace_minutes = 120",
    "no_show_grace_minutes = 0",
    "appointments.no_show_grace_minutes: 0 is outside 1..=1440"
)]
#[case::unknown_cadence(
    "settings.toml",
    "cadence = \"appointment_reminders\"",
    "cadence = \"reminders\"",
    "appointments.cadence: cadence `reminders` is not defined in cadences/"
)]
#[case::wrong_anchor(
    "settings.toml",
    "no_show_cadence = \"no_show_recovery\"",
    "no_show_cadence = \"long_term_nurture\"",
    "appointments.no_show_cadence: cadence `long_term_nurture` has anchor = \"enrolled\"; it needs anchor = \"no_show\""
)]
fn appointment_configuration_mistakes_are_named_with_their_line(
    #[case] path: &str,
    #[case] find: &str,
    #[case] replace: &str,
    #[case] message: &str,
) {
    let files = starter_with(path, |t| t.replacen(find, replace, 1));
    let needle = replace.lines().last().unwrap();
    let line = line_with(&files, path, needle);
    let errors = errors_of(&files);
    let expected = format!("{path}:{line}: {message}");
    assert!(
        errors.iter().any(|e| e == &expected),
        "expected `{expected}` in {errors:#?}"
    );
}

#[test]
fn an_appointment_placeholder_in_a_follow_up_cadence_is_refused() {
    let files = starter_with("blocks.toml", |t| {
        t.replacen(
            "Thanks for asking about the {{vehicle}}.",
            "Thanks for asking about the {{vehicle}} on {{appointment_day}}.",
            1,
        )
    });
    let errors = errors_of(&files);
    assert!(
        errors.iter().any(|e| e.starts_with("cadences/new_inquiry.toml:")
            && e.ends_with("step 1: block \"first_response\" uses {{appointment_day}}, which only cadences with anchor = \"appointment\" can fill")),
        "{errors:#?}"
    );
}

#[test]
fn the_starter_sends_everything_to_the_sandbox() {
    let c = load_config(&starter::files()).unwrap().config;
    let main = c.channels.for_dealership("main");
    assert_eq!(
        (main.sms, main.voice, main.email),
        (Transport::Sandbox, Transport::Sandbox, Transport::Sandbox)
    );
    assert_eq!(c.channels.twilio.messages_per_second, Some(1.0));
    assert!(!c.channels.uses(Transport::Twilio));
}

#[test]
fn a_live_dealership_gets_its_identities_checked() {
    let files = starter_with("channels.toml", |t| {
        t.replace("sms = \"sandbox\"", "sms = \"twilio\"")
            .replace("email = \"sandbox\"", "email = \"smtp\"")
    });
    let errors = errors_of(&files);
    assert!(
        errors.iter().any(|e| e.starts_with("channels.toml:")
            && e.contains(
                "texts through twilio but has neither sms_from nor messaging_service_sid"
            )),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("no [smtp] section")),
        "{errors:?}"
    );
}

#[test]
fn a_bad_sending_identity_is_named_with_its_line() {
    let files = starter_with("channels.toml", |t| {
        t.replace(
            "sms = \"sandbox\"",
            "sms = \"twilio\"\nsms_from = \"not a number\"\nmessaging_service_sid = \"MG123\"",
        )
    });
    let errors = errors_of(&files);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("channels.toml:") && e.contains("sms_from")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("MG123") && e.contains("32 hex digits")),
        "{errors:?}"
    );
}

#[test]
fn a_cadence_using_a_channel_that_is_off_is_reported() {
    let files = starter_with("channels.toml", |t| {
        t.replace("email = \"sandbox\"", "email = \"off\"")
    });
    let errors = errors_of(&files);
    assert!(
        errors.iter().any(|e| e.contains(
            "cadence `new_inquiry` step 2 is an email step but email is off for dealership `main`"
        )),
        "{errors:?}"
    );
}

#[test]
fn a_call_task_needs_no_voice_transport_but_an_automated_call_does() {
    let voice_off = |cadence_edit: &'static str| {
        let mut files = starter_with("channels.toml", |t| {
            t.replace("voice = \"sandbox\"", "voice = \"off\"")
        });
        for f in &mut files {
            if f.0 == "cadences/new_inquiry.toml" {
                f.1 = f.1.replace("channel = \"call\"", cadence_edit);
            }
        }
        errors_of(&files)
    };
    assert_eq!(voice_off("channel = \"call\""), Vec::<String>::new());
    let errors = voice_off("channel = \"call\"\nmode = \"automated\"");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("is an automated call step but voice is off")),
        "{errors:?}"
    );
}

#[test]
fn mode_is_refused_on_a_step_that_is_not_a_call() {
    let files = starter_with("cadences/new_inquiry.toml", |t| {
        t.replacen(
            "block = \"first_response\"",
            "block = \"first_response\"\nmode = \"task\"",
            1,
        )
    });
    let errors = errors_of(&files);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("`mode` applies to call steps only")),
        "{errors:?}"
    );
}

#[test]
fn the_audit_table_is_read_with_its_delivery_and_bad_values_name_their_key() {
    let mut files = starter::files();
    let settings = files
        .iter_mut()
        .find(|(p, _)| p == "settings.toml")
        .expect("settings");
    settings.1.push_str(
        "\n[audit.baseline.service_defection]\nshow_rate = 0.8\n[audit.delivery]\nrecipients = [\"morgan\", \"pat\"]\nweekday = \"tuesday\"\ntime = \"06:45\"\n",
    );
    let config = load_config(&files).expect("valid").config;
    assert_eq!(config.audit.sample_per_segment, 25);
    assert_eq!(
        config.audit.baseline_by_segment,
        [crate::audit::SegmentBaseline {
            segment: "service_defection".into(),
            appointment_rate: None,
            show_rate: Some(0.8),
        }]
    );
    let d = config.report_delivery.expect("delivery");
    assert_eq!(d.recipients, ["morgan", "pat"]);
    assert_eq!(
        (d.weekday, d.time.to_string()),
        (jiff::civil::Weekday::Tuesday, "06:45:00".into())
    );

    let mut files = starter::files();
    let settings = files
        .iter_mut()
        .find(|(p, _)| p == "settings.toml")
        .expect("settings");
    settings.1 = settings.1.replace("late_after_minutes = 15", "late_after_minutes = -3")
        + "baseline_show_rate = 1.5\n[audit.baseline.used_cars]\nshow_rate = 0.5\n[audit.delivery]\nrecipients = [\"nobody\"]\nweekday = \"someday\"\n";
    let errors = load_config(&files).expect_err("invalid");
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    for expected in [
        "audit.late_after_minutes: -3 is outside 0..=1440",
        "audit.baseline_show_rate: 1.5 is not a share",
        "audit.delivery.recipients: `nobody` is not in staff.toml",
        "audit.delivery.weekday: `someday` is not a weekday",
        "audit.baseline.used_cars: `used_cars` is not a segment in segments.toml",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(expected)),
            "{expected}: {messages:#?}"
        );
    }
}

#[rstest::rstest]
#[case("when = \"colour == 'red'\"", "when: unknown fact `colour`")]
#[case("asks = [\"weather\"]", "asks: unknown topic `weather`")]
#[case("language = \"Spanish\"", "language `Spanish` is written `es`")]
#[case("language = \"Klingon\"", "is not a language code")]
#[case("mood = \"happy\"", "unknown field `mood`")]
fn a_variants_condition_question_and_language_are_checked(
    #[case] field: &str,
    #[case] error: &str,
) {
    let files = starter_with("blocks.toml", |t| {
        let fallback = "text = \"Hi {{first_name|there}}, it's {{owner_first_name}} at {{brand}}. Thanks for reaching out. How can I help?";
        t.replacen(fallback, &format!("{field}\n{fallback}"), 1)
    });
    let errors = errors_of(&files);
    assert!(
        errors.iter().any(|e| e.contains(error)),
        "{field}: {errors:?}"
    );
}

#[test]
fn a_language_without_a_fallback_variant_is_refused_and_a_missing_one_is_warned() {
    let files = starter_with("blocks.toml", |t| {
        t.replacen(
            "text = \"Hola {{first_name|}}, soy {{owner_first_name}} de {{brand}}. Gracias por escribirnos.",
            "when = \"trade_in\"\ntext = \"Hola {{first_name|}}, soy {{owner_first_name}} de {{brand}}. Gracias por escribirnos.",
            1,
        )
    });
    let errors = errors_of(&files);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("block `first_response` has no fallback variant in `es`")),
        "{errors:?}"
    );
    let files = starter_with("dealerships.toml", |t| {
        t.replacen("time_zone =", "language = \"fr\"\ntime_zone =", 1)
    });
    let errors = errors_of(&files);
    assert!(
        errors.iter().any(|e| e.contains("writes to leads in `fr`")),
        "{errors:?}"
    );
}

#[test]
fn the_starter_speaks_spanish_in_every_customer_facing_block() {
    let config = load_config(&starter::files())
        .unwrap_or_else(|e| panic!("{e:?}"))
        .config;
    for b in config
        .blocks
        .values()
        .filter(|b| b.channel != crate::cadence::Channel::Call)
    {
        assert!(
            b.variants
                .iter()
                .any(|v| v.language == "es" && v.is_fallback()),
            "block {} has no Spanish fallback",
            b.name
        );
    }
}

/// One typo, one error, in the user's words: no Rust type name, and no errors that only follow
/// from the typo (a transport word misspelt once used to read as `off` for every cadence step on
/// the channel: nineteen errors).
#[rstest::rstest]
#[case(
    "channels.toml",
    "sms = \"sandbox\"",
    "sms = \"sandbx\"",
    "sms: unknown transport `sandbx`"
)]
#[case(
    "channels.toml",
    "email = \"sandbox\"",
    "email = \"twilio\"",
    "email cannot go through `twilio`"
)]
#[case(
    "staff.toml",
    "role = \"sales\"",
    "role = \"salse\"",
    "unknown role `salse`"
)]
#[case(
    "cadences/new_inquiry.toml",
    "channel = \"sms\"",
    "channel = \"smss\"",
    "step 1: unknown channel `smss`"
)]
#[case(
    "blocks.toml",
    "name = \"first_response\"",
    "name = \"first_respnse\"",
    "step 1 uses unknown block \"first_response\""
)]
fn one_typo_gives_one_error_in_the_users_words(
    #[case] path: &str,
    #[case] from: &str,
    #[case] to: &str,
    #[case] expected: &str,
) {
    let files = starter_with(path, |t| {
        assert!(t.contains(from), "{path} has no `{from}`");
        t.replacen(from, to, 1)
    });
    let errors = errors_of(&files);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].contains(expected), "{errors:#?}");
    for type_name in ["Transport", "Role", "Channel", "SourceKind", "Topic"] {
        assert!(!errors[0].contains(type_name), "{errors:#?}");
    }
}

#[test]
fn the_check_refuses_a_price_the_leads_data_cannot_prove_and_accepts_the_guarded_one() {
    let guarded = "when = \"price_known and vehicle_known\"";
    for (edit, expected) in [
        (
            (
                "Want me to send the full numbers on it?",
                "It's $299/mo with 0% APR.",
            ),
            vec!["\"$299\"", "\"0% apr\""],
        ),
        (
            (
                "Want me to send the full numbers on it?",
                "Ask about the rebate.",
            ),
            vec!["\"rebate\""],
        ),
        (
            (guarded, "when = \"vehicle_known\""),
            vec!["add `when = \"price_known\"`"],
        ),
    ] {
        let files = starter_with("blocks.toml", |t| t.replacen(edit.0, edit.1, 1));
        let errors = errors_of(&files);
        assert_eq!(errors.len(), expected.len(), "{edit:?}: {errors:?}");
        for (error, quoted) in errors.iter().zip(&expected) {
            assert!(
                error.starts_with("blocks.toml:")
                    && error.contains("value_message")
                    && error.contains(quoted),
                "{edit:?}: {error}"
            );
        }
    }
    assert!(
        starter::files()
            .iter()
            .any(|(p, t)| p == "blocks.toml" && t.contains(guarded)),
        "the starter says a price only where the lead proves it"
    );
}

#[test]
fn the_check_lints_the_stop_and_help_replies_with_each_dealerships_brand() {
    let brand =
        "Lakeside Motors of Greater Chicagoland, Family Owned and Operated Since 1952, ".repeat(3);
    let files = starter_with("dealerships.toml", |t| {
        t.replacen(
            "brand = \"Lakeside Motors\"",
            &format!("brand = \"{brand}\""),
            1,
        )
    });
    let errors = errors_of(&files);
    assert!(
        errors.iter().any(|e| e
            .starts_with("dealerships.toml: dealership `main`: the HELP reply in `es`")
            && e.contains("SMS segments")),
        "{errors:?}"
    );
}

#[test]
fn the_calls_table_is_read_and_bad_values_name_their_key() {
    let with_calls = |table: &str| {
        let mut files = starter::files();
        let settings = files
            .iter_mut()
            .find(|(p, _)| p == "settings.toml")
            .expect("settings");
        settings.1.push_str(table);
        files
    };
    let defaults = load_config(&starter::files()).expect("valid").config.calls;
    assert_eq!(defaults, crate::calls::CallRules::default());
    let config = load_config(&with_calls(
        "\n[calls]\nowner_ring_seconds = 15\nteam_ring_seconds = 30\ncall_back_minutes = 10\ntext_back_block = \"first_response\"\n",
    ))
    .expect("valid")
    .config;
    assert_eq!(
        (
            config.calls.owner_ring_seconds,
            config.calls.team_ring_seconds,
            config.calls.call_back_minutes
        ),
        (15, 30, 10)
    );
    assert_eq!(
        config.calls.text_back_block.as_deref(),
        Some("first_response")
    );

    let errors = load_config(&with_calls(
        "\n[calls]\nowner_ring_seconds = 2\ntext_back_block = \"nope\"\n",
    ))
    .expect_err("invalid");
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    for expected in [
        "calls.owner_ring_seconds: 2 is outside 5..=600",
        "calls.text_back_block `nope` is not defined in blocks",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(expected)),
            "{expected}: {messages:#?}"
        );
    }
}

#[test]
fn an_informational_block_that_sells_is_refused_and_a_purpose_is_one_of_three() {
    let files = starter_with("blocks.toml", |t| {
        t.replacen(
            "Looking forward to seeing you {{appointment_day}} at {{appointment_time}}. Reply C to confirm.\"",
            "Looking forward to seeing you {{appointment_day}} at {{appointment_time}}. Ask about our year-end sale! Reply C to confirm.\"",
            1,
        )
    });
    let errors = errors_of(&files);
    assert!(
        errors.iter().any(|e| e.contains("blocks.toml:")
            && e.contains("appointment_reminder_day_before")
            && e.contains("is informational but sells (\"sale\")")),
        "{errors:?}"
    );
    let files = starter_with("blocks.toml", |t| {
        t.replacen(
            "purpose = \"informational\"",
            "purpose = \"promotional\"",
            1,
        )
    });
    let errors = errors_of(&files);
    assert!(
        errors.iter().any(|e| e
            .contains("purpose `promotional` is not marketing, informational or conversational")),
        "{errors:?}"
    );
    let c = load_config(&starter::files()).unwrap().config;
    use crate::compliance::MessagePurpose;
    assert_eq!(
        c.blocks["appointment_reminder_soon"].purpose,
        MessagePurpose::Informational
    );
    assert_eq!(
        c.blocks["first_response"].purpose,
        MessagePurpose::Conversational
    );
    assert_eq!(c.blocks["value_message"].purpose, MessagePurpose::Marketing);
}

#[test]
fn the_starter_documents_a_consent_basis_for_every_source_and_check_warns_about_a_missing_one() {
    use crate::compliance::consent::ConsentBasis;
    use crate::lead::SourceKind;
    let checked = load_config(&starter::files()).unwrap();
    assert!(
        !checked
            .warnings
            .iter()
            .any(|w| w.to_string().contains("consent")),
        "{:?}",
        checked.warnings
    );
    let defaults = &checked.config.consent;
    assert_eq!(
        defaults.sources[&SourceKind::Internet],
        ConsentBasis::ExpressWritten
    );
    let at = "2026-12-01T15:00:00Z".parse().unwrap();
    let record = defaults
        .record_for(SourceKind::Phone, None, at, "lakeside")
        .unwrap();
    assert_eq!(record.basis, ConsentBasis::Express);
    assert_eq!(record.dealership.as_deref(), Some("lakeside"));
    assert_eq!(
        record.source.settings.as_deref(),
        Some("consent.sources.phone")
    );

    let files = starter_with("settings.toml", |t| {
        t.replacen("import = \"none\"\n", "", 1)
    });
    let warnings = load_config(&files).unwrap().warnings;
    assert!(
        warnings.iter().any(|w| w
            .to_string()
            .contains("consent.sources has no basis for `import` leads")),
        "{warnings:?}"
    );
    let files = starter_with("settings.toml", |t| {
        t.replacen("phone = \"express\"", "phone = \"signed\"", 1)
            .replacen("sms = \"express\"", "fax = \"express\"", 1)
    });
    let errors = errors_of(&files);
    assert!(
        errors.iter().any(|e| e.starts_with("settings.toml:")
            && e.contains(
                "consent.sources.phone: `signed` is not express_written, express or none"
            )),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("consent.sources: unknown source kind `fax`")),
        "{errors:?}"
    );
}
