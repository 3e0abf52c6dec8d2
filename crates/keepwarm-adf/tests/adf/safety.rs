//! The safety rules: no DTD, no entity expansion, size and depth limits,
//! and unrecoverable documents fail with a line and column.

use keepwarm_adf::{
    parse_adf, AdfError, ParseOptions, WarningCode, DEFAULT_MAX_ATTRIBUTES, DEFAULT_MAX_BYTES,
};
use rstest::rstest;

use crate::helpers::{fixture, only_lead, parse_err, parse_fixture, parse_ok};

#[rstest]
#[case::xxe_system_entity("safety/xxe_system_entity.xml")]
#[case::xxe_parameter_entity("safety/xxe_parameter_entity.xml")]
#[case::billion_laughs("safety/billion_laughs.xml")]
fn entity_declaring_doctypes_are_refused_at_the_doctype(#[case] rel: &str) {
    let err = parse_err(&fixture(rel));
    assert!(
        matches!(
            err,
            AdfError::DoctypeForbidden {
                line: 2,
                column: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("not processed"), "{err}");
}

#[test]
fn an_external_dtd_is_never_fetched_and_its_entities_stay_literal() {
    let doc = parse_fixture("safety/external_dtd_only.xml");
    assert_eq!(doc.warnings[0].code, WarningCode::DoctypeIgnored);
    let lead = only_lead(&doc);
    assert_eq!(lead.comments.as_deref(), Some("&ext;"));
}

#[test]
fn a_doctype_after_the_root_has_started_is_refused() {
    let err = parse_err(b"<adf>\n<!DOCTYPE x [<!ENTITY a \"b\">]><prospect/></adf>");
    assert!(
        matches!(err, AdfError::DoctypeForbidden { line: 2, .. }),
        "{err:?}"
    );
}

#[test]
fn a_truncated_document_fails_with_line_and_column() {
    let err = parse_err(&fixture("safety/truncated.xml"));
    assert_eq!(
        err,
        AdfError::Malformed {
            message: "document ends before <make> (opened on line 5) is closed".into(),
            line: 5,
            column: 10,
        }
    );
}

#[rstest]
#[case::unterminated_tag("<adf>\n<prospect\n", 2)]
#[case::bare_less_than("<adf>\n<prospect><comments>1 < 2</comments></prospect></adf>", 2)]
#[case::unterminated_comment("<adf>\n\n<!-- never closed", 3)]
#[case::unterminated_cdata("<adf><prospect>\n<comments><![CDATA[oops", 2)]
#[case::empty("", 1)]
#[case::only_whitespace("  \n  ", 2)]
#[case::only_text("just some text", 1)]
fn unrecoverable_documents_fail_with_a_position(#[case] xml: &str, #[case] line: usize) {
    let err = parse_err(xml.as_bytes());
    assert!(matches!(err, AdfError::Malformed { .. }), "{err:?}");
    assert_eq!(err.position().map(|(l, _)| l), Some(line), "{err}");
}

#[test]
fn a_root_that_is_not_adf_is_refused() {
    let err = parse_err(b"<?xml version=\"1.0\"?>\n<html><body/></html>");
    assert_eq!(
        err,
        AdfError::NotAdf {
            root: "html".into(),
            line: 2,
            column: 1
        }
    );
}

#[test]
fn input_over_the_size_limit_is_refused_before_parsing() {
    let mut xml = b"<adf><prospect><comments>".to_vec();
    xml.resize(1024 * 1024 + 1, b'x');
    let err = parse_err(&xml);
    assert_eq!(
        err,
        AdfError::TooLarge {
            size: 1_048_577,
            limit: 1_048_576
        }
    );
}

#[test]
fn the_size_limit_is_configurable() {
    let opts = ParseOptions {
        max_bytes: 10,
        ..ParseOptions::default()
    };
    let err = parse_adf(b"<adf><prospect/></adf>", &opts).err();
    assert_eq!(
        err,
        Some(AdfError::TooLarge {
            size: 22,
            limit: 10
        })
    );
}

#[test]
fn a_hundred_thousand_nested_elements_fail_cleanly_without_overflowing_the_stack() {
    let xml = format!(
        "<adf>{}{}</adf>",
        "<x>".repeat(100_000),
        "</x>".repeat(100_000)
    );
    let err = parse_err(xml.as_bytes());
    assert_eq!(
        err,
        AdfError::TooDeep {
            limit: 32,
            line: 1,
            column: 6 + 3 * 31
        }
    );
}

#[test]
fn nesting_exactly_at_the_depth_limit_is_accepted() {
    let opts = ParseOptions {
        max_depth: 4,
        ..ParseOptions::default()
    };
    let ok = parse_adf(
        b"<adf><prospect><vehicle><make>Kia</make></vehicle></prospect></adf>",
        &opts,
    );
    assert!(ok.is_ok(), "{ok:?}");
    let deep = parse_adf(
        b"<adf><prospect><vehicle><option><price>1</price></option></vehicle></prospect></adf>",
        &opts,
    );
    assert!(
        matches!(deep, Err(AdfError::TooDeep { limit: 4, .. })),
        "{deep:?}"
    );
}

#[test]
fn many_undefined_entities_never_grow_the_output() {
    let body = "&lol;".repeat(10_000);
    let xml =
        format!("<adf><prospect><customer><comments>{body}</comments></customer></prospect></adf>");
    let doc = parse_ok(xml.as_bytes());
    let lead = only_lead(&doc);
    assert_eq!(lead.comments.as_deref().map(str::len), Some(body.len()));
    let kept = lead
        .warnings
        .iter()
        .filter(|w| w.code == WarningCode::UnknownEntityKept)
        .count();
    assert_eq!(kept, 1, "the repair is reported once");
}

/// The hostile document of issue 16: one element with 90,000 distinct
/// attributes, 979 KB.
fn ninety_thousand_attributes() -> Vec<u8> {
    let mut xml = String::from("<adf>\n<prospect><customer><contact><name part=\"full\"");
    for i in 0..90_000 {
        xml.push_str(&format!(" a{i}=\"x\""));
    }
    xml.push_str(">Ann</name><phone>312-555-0100</phone></contact></customer></prospect></adf>");
    xml.into_bytes()
}

#[test]
fn ninety_thousand_attributes_on_one_element_take_linear_time_without_the_cap() {
    let xml = ninety_thousand_attributes();
    assert!(
        xml.len() > 950_000 && xml.len() < DEFAULT_MAX_BYTES,
        "{}",
        xml.len()
    );
    let opts = ParseOptions {
        max_attributes: usize::MAX,
        ..ParseOptions::default()
    };
    let started = thread_cpu_time();
    let doc = parse_adf(&xml, &opts);
    let took = thread_cpu_time() - started;
    assert!(doc.is_ok(), "{doc:?}");
    assert!(
        took < std::time::Duration::from_secs(1),
        "took {took:?} of CPU"
    );
}

/// CPU time this thread has used (Linux: user + system ticks of `/proc/thread-self/stat`, 10 ms
/// each), so that other tests running on the same cores do not count; elsewhere, wall time.
fn thread_cpu_time() -> std::time::Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    // After the command name: state, ppid, pgrp, session, tty, tpgid, flags, four fault counts,
    // then utime and stime.
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => std::time::Duration::from_millis((user + system) * 10),
        _ => {
            static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
            START.get_or_init(std::time::Instant::now).elapsed()
        }
    }
}

#[test]
fn an_element_with_too_many_attributes_is_refused_naming_it() {
    let started = thread_cpu_time();
    let err = parse_err(&ninety_thousand_attributes());
    assert!(thread_cpu_time() - started < std::time::Duration::from_secs(1));
    assert_eq!(
        err,
        AdfError::TooManyAttributes {
            element: "name".into(),
            limit: DEFAULT_MAX_ATTRIBUTES,
            line: 2,
            column: 30,
        }
    );
    assert_eq!(
        err.to_string(),
        "line 2, column 30: <name> has more than 64 attributes"
    );
}

#[test]
fn a_document_with_too_many_elements_is_refused_at_the_first_one_over() {
    let opts = ParseOptions {
        max_elements: 3,
        ..ParseOptions::default()
    };
    let err = parse_adf(b"<adf>\n<prospect/><prospect/>\n<prospect/></adf>", &opts).err();
    assert_eq!(
        err,
        Some(AdfError::TooManyElements {
            limit: 3,
            line: 3,
            column: 1,
        })
    );
}

#[test]
fn a_document_with_thousands_of_prospects_is_refused_before_any_is_read() {
    let one = "<prospect><customer><contact><name part=\"full\">A B</name>\
               <phone>312-555-0100</phone></contact></customer></prospect>";
    let xml = format!("<adf>{}</adf>", one.repeat(3_643));
    assert_eq!(
        parse_err(xml.as_bytes()),
        AdfError::TooManyProspects {
            count: 3_643,
            limit: 50
        }
    );
    let fifty = format!("<adf>{}</adf>", one.repeat(50));
    assert_eq!(parse_ok(fifty.as_bytes()).prospects.len(), 50);
}

#[test]
fn the_cpu_clock_of_these_tests_counts_busy_work() {
    // Busy until the thread's CPU clock has moved 100 ms, with a generous wall-clock bound: on a
    // loaded machine the thread gets only a share of a core, so a fixed wall time proves nothing;
    // a clock that never counts the work fails at the bound.
    let started = thread_cpu_time();
    let wall = std::time::Instant::now();
    let mut x = 0u64;
    while thread_cpu_time() - started < std::time::Duration::from_millis(100)
        && wall.elapsed() < std::time::Duration::from_secs(30)
    {
        for _ in 0..100_000 {
            x = std::hint::black_box(x.wrapping_add(1));
        }
    }
    assert!(
        thread_cpu_time() - started >= std::time::Duration::from_millis(100),
        "30 s of busy work counted as {:?} of CPU time",
        thread_cpu_time() - started
    );
}
