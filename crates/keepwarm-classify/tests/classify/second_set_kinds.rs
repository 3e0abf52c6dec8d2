//! Case tables for the kinds of miss and false stop the second blind set
//! (`HELDOUT2.md`) revealed, each in my own wording, never its rows: stop
//! requests in languages the rules did not read, the English and Spanish
//! phrasings no rule covered, and "stop", "cancel" or "I'm not" in other
//! senses.

use keepwarm_classify::{Classifier, Intent, Language, ReviewReason};
use rstest::rstest;

fn classify(text: &str) -> keepwarm_classify::Classification {
    Classifier::default_set().classify(text)
}

/// The commonest stop words of the languages most often met in the US
/// after English and Spanish are certain opt-outs of every channel.
#[rstest]
#[case("Ngừng nhắn tin giùm tôi")]
#[case("dung goi nua")]
#[case("Parem de me ligar, obrigado")]
#[case("Me descadastre por favor")]
#[case("Arrêtez de m'appeler")]
#[case("Ne m'envoyez plus rien")]
#[case("Pakiusap, itigil na ang mga text")]
#[case("Sispann voye mesaj")]
#[case("退订")]
#[case("请不要再发短信了")]
#[case("수신거부")]
#[case("Больше не пишите")]
#[case("لا ترسل رسائل")]
fn stop_words_in_other_languages_are_opt_outs(#[case] text: &str) {
    let got = classify(text);
    assert!(got.has(Intent::OptOut), "{text:?} -> {got:?}");
    assert!(got.revoked_channels.is_all(), "{text:?} -> {got:?}");
}

/// Anything else in a language the rules do not read fails closed:
/// automation stops and a person reads it.
#[rstest]
#[case("Chiếc Camry màu trắng còn không?")]
#[case("Você pode me mandar o preço?")]
#[case("Est-ce que je peux venir demain?")]
#[case("Kailan po kayo bukas?")]
#[case("Eske machin nan toujou la?")]
#[case("这辆车还在吗？")]
#[case("내일 방문해도 될까요?")]
#[case("Эта машина ещё продаётся?")]
#[case("هل السيارة متوفرة؟")]
#[case("감사합니다\nSent from my iPhone")]
fn a_reply_in_a_language_the_rules_do_not_read_stops_automation(#[case] text: &str) {
    let got = classify(text);
    assert!(!got.has(Intent::OptOut), "{text:?} -> {got:?}");
    assert!(got.stops_automation(), "{text:?} -> {got:?}");
    assert_eq!(got.language, Language::Undetermined);
    let review = got.review.as_ref().map(|r| r.reason);
    assert_eq!(review, Some(ReviewReason::UnreadLanguage), "{got:?}");
}

/// English and Spanish replies with a word or two of another language stay
/// read as English or Spanish.
#[rstest]
#[case("Thanks, merci! I'll come by Saturday")]
#[case("Bonjour! Is the CR-V still available?")]
#[case("Sí, ahí nos vemos mañana")]
#[case("Anh ơi, is the Civic still there?")]
fn a_foreign_word_in_english_or_spanish_does_not_fail_closed(#[case] text: &str) {
    let got = classify(text);
    assert!(!got.stops_automation(), "{text:?} -> {got:?}");
}

/// English and Spanish stop requests of kinds no rule covered.
#[rstest]
#[case("don't want any more lease offers")]
#[case("no more promotions please")]
#[case("block me please")]
#[case("You can block my number")]
#[case("Kindly no longer contact me")]
#[case("Please no longer text this number")]
#[case("I'd rather you not call me anymore")]
#[case("¿me podrían quitar de su lista de contactos?")]
#[case("me pueden borrar de sus mensajes")]
#[case("ya no quiero más promociones")]
fn english_and_spanish_kinds_the_second_set_showed_are_opt_outs(#[case] text: &str) {
    let got = classify(text);
    assert!(got.has(Intent::OptOut), "{text:?} -> {got:?}");
}

/// "stop", "cancel", "block", "I'm not" and "paren" in other senses: not
/// stop requests, certain or possible.
#[rstest]
#[case("does the Pilot stop itself if the car ahead brakes?")]
#[case("will a short job history stop me from getting approved?")]
#[case("you can stop holding the blue one for me, is the red one there?")]
#[case("should I stop waiting on the hybrid?")]
#[case("my wife says stop shopping lol what's the best price on the Rav4")]
#[case("I'm not cancelling, just running 10 minutes late")]
#[case("cancel that, I do want the extended warranty quote")]
#[case("don't stop sending me the lease specials")]
#[case("no paren de mandarme las promociones")]
#[case("I'll stop over Saturday morning")]
#[case("can you block me a spot at 10 on Saturday?")]
fn other_senses_of_stop_words_do_not_stop_automation(#[case] text: &str) {
    let got = classify(text);
    assert!(!got.stops_automation(), "{text:?} -> {got:?}");
    assert!(!got.has(Intent::WrongNumber), "{text:?} -> {got:?}");
}

/// "Won't stop calling" and "cancel that" alone may still mean stop: a
/// person decides.
#[rstest]
#[case("you guys won't stop calling me")]
#[case("cancel that")]
fn a_complaint_or_a_lone_cancel_that_is_a_possible_opt_out(#[case] text: &str) {
    let got = classify(text);
    assert!(!got.has(Intent::OptOut), "{text:?} -> {got:?}");
    assert!(got.possible_opt_out.is_some(), "{text:?} -> {got:?}");
}
