//! The fuzz targets' bodies, one function per parser of untrusted input. Each must return
//! normally for every input: a panic, an overflow or a hang is a bug. The `fuzz_targets/` binaries
//! hand libFuzzer's inputs to these; `tests/replay.rs` runs them over the committed corpora on the
//! stable toolchain, so every seed and every past crash stays a regression test.
#![forbid(unsafe_code)]

use std::sync::OnceLock;

/// ADF/XML from providers.
pub fn adf(data: &[u8]) {
    let _ = keepwarm_adf::parse_adf(data, &keepwarm_adf::ParseOptions::default());
    let _ = keepwarm_intake::adf::leads_from_adf(data, &keepwarm_intake::IntakeOptions::default());
}

/// Raw lead e-mails (RFC 5322, MIME).
///
/// keepwarm-intake catches a panic inside mail-parser 0.11 (a malformed multipart nesting makes it
/// panic) and refuses the message as malformed. libFuzzer's panic hook aborts on any panic, caught
/// or not, so this target puts the standard hook back: a panic that escapes keepwarm's own code
/// still reaches libfuzzer-sys's `catch_unwind` and aborts the run as a crash.
pub fn email(data: &[u8]) {
    static STANDARD_HOOK: std::sync::Once = std::sync::Once::new();
    STANDARD_HOOK.call_once(|| drop(std::panic::take_hook()));
    let _ =
        keepwarm_intake::email::leads_from_email(data, &keepwarm_intake::IntakeOptions::default());
}

/// CRM/DMS CSV exports: every row is read.
pub fn csv(data: &[u8]) {
    use keepwarm_domain::lead::SourceKind;
    if let Ok(rows) = keepwarm_intake::csv::read_csv(data, None, SourceKind::Import) {
        for row in rows {
            let _ = row.result;
        }
    }
    let _ = keepwarm_intake::csv::read_outcome_csv(data);
}

/// Customers' replies, through the built-in phrase set.
pub fn classify(data: &[u8]) {
    static CLASSIFIER: OnceLock<keepwarm_classify::Classifier> = OnceLock::new();
    let classifier = CLASSIFIER.get_or_init(keepwarm_classify::Classifier::default_set);
    let _ = classifier.classify(&String::from_utf8_lossy(data));
}

/// Twilio webhook forms: every parser of their parameters, and the signature over them.
pub fn twilio_form(data: &[u8]) {
    let params: Vec<(String, String)> = url::form_urlencoded::parse(data).into_owned().collect();
    let _ = keepwarm_twilio::InboundText::from_params(&params).map(|t| t.text_with_media());
    let _ = keepwarm_twilio::MessageStatusUpdate::from_params(&params);
    let _ = keepwarm_twilio::CallStatusUpdate::from_params(&params);
    let _ = keepwarm_twilio::compute_signature("token", "https://keepwarm.example.com/w", &params);
}

/// The configuration loader: the input replaces one file of the starter configuration (chosen by
/// its first byte), the rest stay valid.
pub fn config(data: &[u8]) {
    let mut files = keepwarm_domain::config::starter::files();
    if files.is_empty() {
        return;
    }
    let (which, text) = match data.split_first() {
        Some((first, rest)) => (usize::from(*first) % files.len(), rest),
        None => (0, data),
    };
    if let Some(file) = files.get_mut(which) {
        file.1 = String::from_utf8_lossy(text).into_owned();
    }
    let _ = keepwarm_domain::config::load_config(&files);
}

/// Every target by name, for the replay test and the stable runner.
pub const TARGETS: &[(&str, fn(&[u8]))] = &[
    ("adf", adf),
    ("email", email),
    ("csv", csv),
    ("classify", classify),
    ("twilio_form", twilio_form),
    ("config", config),
];
