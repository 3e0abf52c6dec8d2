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
            "Thanks for reaching out. What vehicle",
            "Act now, this deal won't last. What vehicle",
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
            "What vehicle can I help you find? Reply STOP to opt out",
            "What vehicle can I help you find?",
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
