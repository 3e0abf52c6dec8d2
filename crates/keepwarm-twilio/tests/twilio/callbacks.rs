//! Status callbacks: parsing and the ordering rule.

use keepwarm_twilio::{
    AnsweredBy, CallStatus, CallStatusUpdate, CallbackError, DeliveryStatus, MessageStatusUpdate,
};
use rstest::rstest;

fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn an_undelivered_callback_keeps_its_error_code() {
    let update = MessageStatusUpdate::from_params(&params(&[
        ("MessageSid", "SM0123456789abcdef0123456789abcdef"),
        ("MessageStatus", "undelivered"),
        ("ErrorCode", "30003"),
        ("To", "+13125550142"),
        ("From", "+13125550100"),
        ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
    ]))
    .unwrap();
    assert_eq!(update.status, DeliveryStatus::Undelivered);
    assert_eq!(update.error_code, Some(30003));
    assert!(update.status.is_failure() && update.status.is_final());
    assert_eq!(update.to.as_deref(), Some("+13125550142"));
}

#[test]
fn a_callback_without_a_status_or_with_a_garbled_error_code_is_refused() {
    assert_eq!(
        MessageStatusUpdate::from_params(&params(&[("MessageSid", "SM1")])),
        Err(CallbackError::Missing("MessageStatus"))
    );
    assert!(matches!(
        MessageStatusUpdate::from_params(&params(&[
            ("MessageSid", "SM1"),
            ("MessageStatus", "failed"),
            ("ErrorCode", "abc"),
        ])),
        Err(CallbackError::Invalid {
            param: "ErrorCode",
            ..
        })
    ));
}

#[test]
fn an_unknown_status_is_kept_as_unknown_and_never_applied() {
    let update = MessageStatusUpdate::from_params(&params(&[
        ("MessageSid", "SM1"),
        ("MessageStatus", "teleported"),
    ]))
    .unwrap();
    assert_eq!(update.status, DeliveryStatus::Unknown);
    assert!(!DeliveryStatus::Unknown.advances_from(DeliveryStatus::Queued));
}

#[rstest]
#[case::queued_to_sent(DeliveryStatus::Queued, DeliveryStatus::Sent, true)]
#[case::sent_to_delivered(DeliveryStatus::Sent, DeliveryStatus::Delivered, true)]
#[case::delivered_never_back_to_sent(DeliveryStatus::Delivered, DeliveryStatus::Sent, false)]
#[case::delivered_then_read(DeliveryStatus::Delivered, DeliveryStatus::Read, true)]
#[case::a_repeat_is_not_an_advance(DeliveryStatus::Sent, DeliveryStatus::Sent, false)]
#[case::failed_is_final(DeliveryStatus::Failed, DeliveryStatus::Delivered, false)]
#[case::delivered_is_not_replaced_by_undelivered(
    DeliveryStatus::Delivered,
    DeliveryStatus::Undelivered,
    false
)]
#[case::sending_to_failed(DeliveryStatus::Sending, DeliveryStatus::Failed, true)]
#[case::accepted_to_queued(DeliveryStatus::Accepted, DeliveryStatus::Queued, true)]
#[case::unknown_recorded_then_known(DeliveryStatus::Unknown, DeliveryStatus::Delivered, true)]
fn delivery_statuses_only_move_forward(
    #[case] recorded: DeliveryStatus,
    #[case] update: DeliveryStatus,
    #[case] applies: bool,
) {
    assert_eq!(update.advances_from(recorded), applies);
}

#[test]
fn every_spec_status_spelling_parses() {
    for spelling in [
        "queued",
        "sending",
        "sent",
        "failed",
        "delivered",
        "undelivered",
        "receiving",
        "received",
        "accepted",
        "scheduled",
        "read",
        "partially_delivered",
        "canceled",
    ] {
        assert_ne!(
            DeliveryStatus::parse(spelling),
            DeliveryStatus::Unknown,
            "{spelling}"
        );
    }
}

#[rstest]
#[case("human", AnsweredBy::Human, false)]
#[case("machine_start", AnsweredBy::MachineStart, true)]
#[case("machine_end_beep", AnsweredBy::MachineEndBeep, true)]
#[case("machine_end_silence", AnsweredBy::MachineEndSilence, true)]
#[case("machine_end_other", AnsweredBy::MachineEndOther, true)]
#[case("fax", AnsweredBy::Fax, true)]
#[case("unknown", AnsweredBy::Unknown, false)]
fn answered_by_values_parse(
    #[case] spelling: &str,
    #[case] expected: AnsweredBy,
    #[case] machine: bool,
) {
    let update = CallStatusUpdate::from_params(&params(&[
        ("CallSid", "CA0123456789abcdef0123456789abcdef"),
        ("CallStatus", "in-progress"),
        ("AnsweredBy", spelling),
    ]))
    .unwrap();
    assert_eq!(update.answered_by, Some(expected));
    assert_eq!(expected.is_machine(), machine);
    assert_eq!(update.status, CallStatus::InProgress);
}

#[test]
fn a_completed_call_reports_its_duration_and_an_unknown_answered_by_is_refused() {
    let done = CallStatusUpdate::from_params(&params(&[
        ("CallSid", "CA1"),
        ("CallStatus", "no-answer"),
        ("CallDuration", "0"),
    ]))
    .unwrap();
    assert_eq!(done.status, CallStatus::NoAnswer);
    assert!(done.status.is_final());
    assert_eq!(done.duration_seconds, Some(0));
    assert!(matches!(
        CallStatusUpdate::from_params(&params(&[("CallSid", "CA1"), ("AnsweredBy", "robot")])),
        Err(CallbackError::Invalid {
            param: "AnsweredBy",
            ..
        })
    ));
}
