//! Stop requests written as slots (`parts` in the phrase set): a refusal, a way of reaching
//! someone, whom, "again". Every case is my own wording of a kind, none a blind set's row; each
//! combination here was written by no phrase list before the slots, and the decoys beside them
//! use the same words in other senses.

use keepwarm_classify::{Channel, Classification, Classifier, Intent};
use rstest::rstest;

fn classify(text: &str) -> Classification {
    Classifier::default_set().classify(text)
}

#[rstest]
#[case("Kindly never reach out to my father again", &[Channel::Call, Channel::Email, Channel::Sms])]
#[case("there is no need to get in touch with us going forward", &[Channel::Call, Channel::Email, Channel::Sms])]
#[case("Do not ever follow up with my husband", &[Channel::Call, Channel::Email, Channel::Sms])]
#[case("please do not ever text this phone anymore", &[Channel::Sms])]
#[case("I'm asking you to not dial my number again", &[Channel::Call])]
#[case("no need to email me going forward", &[Channel::Email])]
#[case("scrub all of my contact details please", &[Channel::Call, Channel::Email, Channel::Sms])]
#[case("get my number out of your database", &[Channel::Call, Channel::Email, Channel::Sms])]
#[case("I withdraw my consent to be contacted", &[Channel::Call, Channel::Email, Channel::Sms])]
#[case("leave us the heck alone", &[Channel::Call, Channel::Email, Channel::Sms])]
#[case("reporting this number as spam", &[Channel::Call, Channel::Email, Channel::Sms])]
#[case("how do I stop receiving your messages from you guys", &[Channel::Call, Channel::Email, Channel::Sms])]
#[case("nunca me vuelvan a buscar", &[Channel::Call, Channel::Email, Channel::Sms])]
#[case("a mi papá no lo anden molestando", &[Channel::Call, Channel::Email, Channel::Sms])]
#[case("no nos sigan marcando", &[Channel::Call])]
#[case("eliminen mis datos de una vez", &[Channel::Call, Channel::Email, Channel::Sms])]
#[case("retiro mi autorización para mensajes", &[Channel::Call, Channel::Email, Channel::Sms])]
fn a_stop_request_of_a_kind_written_as_slots_is_an_opt_out(
    #[case] text: &str,
    #[case] channels: &[Channel],
) {
    let got = classify(text);
    assert!(got.has(Intent::OptOut), "{text:?} -> {got:?}");
    let revoked: Vec<Channel> = got.revoked_channels.into();
    assert_eq!(revoked, channels, "{text:?} -> {got:?}");
}

/// "Please don't follow up" alone may mean stop: automation stops and a person decides.
#[rstest]
#[case("thanks, no need to follow up")]
#[case("please don't reach out")]
fn a_refused_follow_up_alone_fails_closed(#[case] text: &str) {
    let got = classify(text);
    assert!(got.stops_automation(), "{text:?} -> {got:?}");
}

/// The same words in other senses.
#[rstest]
#[case("why don't you reach out to me when the truck lands?")]
#[case("remove my name from the loan and add my wife")]
#[case("can you take my trade off the deal and redo the numbers")]
#[case("put me on the waiting list for the hybrid")]
#[case("no me mandaron el precio todavía")]
#[case("¿me pueden quitar el seguro extendido del contrato?")]
#[case("I didn't get your text, can you resend it?")]
fn the_same_words_in_other_senses_are_not_opt_outs(#[case] text: &str) {
    let got = classify(text);
    assert!(!got.has(Intent::OptOut), "{text:?} -> {got:?}");
}
