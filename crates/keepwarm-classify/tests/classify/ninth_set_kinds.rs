//! Case tables for the kind of error blind set 9's first score showed, in my own wording, never its
//! rows: a stop request that names one channel and then lists the others ("no more calls, e-mails
//! or texts") revoked only the first channel, so automation went on texting a person who had asked
//! for no more texts.

use keepwarm_classify::{Channel, Classifier, Intent};
use rstest::rstest;

const ALL: &[Channel] = &[Channel::Call, Channel::Email, Channel::Sms];

#[rstest]
#[case("No more calls, emails or texts please.", ALL)]
#[case("I don't want any more calls or e-mails about the truck", &[Channel::Call, Channel::Email])]
#[case("no more calls/texts/emails from you guys", ALL)]
#[case("Please stop calling, emailing and texting me", ALL)]
#[case("stop texting and emailing me", &[Channel::Email, Channel::Sms])]
// A channel named in another sentence, or offered instead, is not revoked.
#[case("Stop calling. Texts and emails are fine", &[Channel::Call])]
#[case("Don't call, text me instead", &[Channel::Call])]
fn a_stop_request_revokes_every_channel_it_lists(#[case] text: &str, #[case] wanted: &[Channel]) {
    let got = Classifier::default_set().classify(text);
    assert!(got.has(Intent::OptOut), "{text:?} -> {got:?}");
    let revoked: Vec<Channel> = got.revoked_channels.into();
    assert_eq!(revoked, wanted, "{text:?} -> {got:?}");
}
