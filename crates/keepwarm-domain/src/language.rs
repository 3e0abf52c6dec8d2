//! The customer's language: reading the tags lead sources write (`es-MX`, `spa`, `Spanish`), which
//! language a lead is written to (and when a reply changes it), and the few words keepwarm writes itself rather than taking from
//! a block (the opt-out confirmation, the HELP reply, "today"/"yesterday"/"on Saturday").
//!
//! Languages with words here: English and Spanish. Any other language gets the English words.

use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::lead::LeadInput;

/// A language tag as lead sources write it, as keepwarm names it: the lower-case primary subtag
/// (`es-MX` → `es`), with ISO 639-2 codes and English or native names of English and Spanish
/// understood. `None` for a tag keepwarm cannot read.
pub fn normalize_language(tag: &str) -> Option<String> {
    let lower = tag.trim().to_lowercase();
    let primary = lower.split(['-', '_']).next().unwrap_or_default();
    match primary {
        "es" | "spa" | "spanish" | "español" | "espanol" | "castellano" => Some("es".into()),
        "en" | "eng" | "english" | "inglés" | "ingles" => Some("en".into()),
        p if p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()) => Some(p.to_owned()),
        _ => None,
    }
}

/// The language to write to a lead in: the lead document's own (`preferred_language`), else the
/// language of the customer's replies (`reply_language`, see [`reply_language_change`]), else the
/// language `detected` in the customer's own words (their comments, or the reply being answered),
/// else `default` (the dealership's). A language no block is written in (`available`) counts as
/// not given.
pub fn lead_language(
    lead: &LeadInput,
    detected: Option<&str>,
    default: &str,
    available: &[&str],
) -> String {
    let usable = |tag: &str| normalize_language(tag).filter(|l| available.contains(&l.as_str()));
    let customer = &lead.customer;
    customer
        .preferred_language
        .as_deref()
        .and_then(usable)
        .or_else(|| customer.reply_language.as_deref().and_then(usable))
        .or_else(|| detected.and_then(usable))
        .unwrap_or_else(|| default.to_owned())
}

/// Fewest words a reply needs before its language counts: "ok", "yes", "sí gracias" say too
/// little to switch the language a customer is written to.
pub const MIN_REPLY_WORDS: usize = 3;

/// The language a customer's reply sets for the lead, when it changes the language they are
/// written to (`current`): the reply's `detected` language when the lead document gives none of
/// its own, the reply has at least [`MIN_REPLY_WORDS`] words and blocks are written in it. `None`
/// leaves the lead's language as it is.
pub fn reply_language_change(
    lead: &LeadInput,
    reply: &str,
    detected: &str,
    current: &str,
    available: &[&str],
) -> Option<String> {
    let usable = |tag: &str| normalize_language(tag).filter(|l| available.contains(&l.as_str()));
    if lead
        .customer
        .preferred_language
        .as_deref()
        .and_then(usable)
        .is_some()
    {
        return None;
    }
    let words = reply
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count();
    let language = usable(detected).filter(|_| words >= MIN_REPLY_WORDS)?;
    (language != current).then_some(language)
}

/// The one text an opt-out gets, in the customer's language: no marketing, how to come back.
/// `channels` are those revoked when not every channel was (`call`, `email`, `sms`).
pub fn opt_out_confirmation(language: &str, brand: &str, all: bool, channels: &[&str]) -> String {
    let spanish = language == "es";
    if all {
        return if spanish {
            format!("{brand}: te dimos de baja y no te volveremos a escribir. Responde START si quieres volver a recibir mensajes.")
        } else {
            format!("{brand}: you're unsubscribed and will get no more messages from us. Reply START to resubscribe.")
        };
    }
    if spanish {
        let what: Vec<&str> = channels
            .iter()
            .map(|c| match *c {
                "call" => "por teléfono",
                "email" => "por correo",
                _ => "por mensaje de texto",
            })
            .collect();
        format!(
            "{brand}: entendido, ya no te contactaremos {}. Responde START para deshacerlo.",
            what.join(" ni ")
        )
    } else {
        format!(
            "{brand}: got it, no more {} from us. Reply START to undo.",
            english_channels(channels)
        )
    }
}

/// The ledger's channel words as English nouns (`calls or texts`).
fn english_channels(channels: &[&str]) -> String {
    let named: Vec<&str> = channels
        .iter()
        .map(|c| match *c {
            "call" => "calls",
            "email" => "e-mails",
            _ => "texts",
        })
        .collect();
    named.join(" or ")
}

/// The one confirmation e-mail an opt-out by e-mail gets: `(subject, body)` in `language`, no
/// marketing, what stops and how to undo it (texting START stays the way back for texts; for
/// e-mail, an answer to this message reaches a person).
pub fn opt_out_confirmation_email(
    language: &str,
    brand: &str,
    all: bool,
    channels: &[&str],
) -> (String, String) {
    let spanish = language == "es";
    if spanish {
        let what = if all {
            "ningún mensaje más".to_owned()
        } else {
            channels
                .iter()
                .map(|c| match *c {
                    "call" => "llamadas",
                    "email" => "correos",
                    _ => "mensajes de texto",
                })
                .collect::<Vec<_>>()
                .join(" ni ")
        };
        (
            format!("{brand}: te dimos de baja"),
            format!("Recibimos tu mensaje: {brand} no te enviará {what}. Si fue un error, responde a este correo y una persona lo corregirá."),
        )
    } else {
        let what = if all {
            "no more messages".to_owned()
        } else {
            format!("no more {}", english_channels(channels))
        };
        (
            format!("{brand}: you're unsubscribed"),
            format!("We got your message: you will get {what} from {brand}. If this was a mistake, reply to this e-mail and a person will put it right."),
        )
    }
}

/// The keyword a lone HELP request is (`HELP`, `INFO`, `AYUDA`, any case, trailing punctuation
/// ignored) and the language it is in; `None` for any other text. Only the whole message counts:
/// "can you help me with financing?" is a question for a person, not the keyword.
pub fn help_keyword(body: &str) -> Option<&'static str> {
    let word = body
        .trim()
        .trim_end_matches(['.', '!', '?', '¡', '¿'])
        .trim_start_matches(['¡', '¿'])
        .to_uppercase();
    match word.as_str() {
        "HELP" | "INFO" => Some("en"),
        "AYUDA" => Some("es"),
        _ => None,
    }
}

/// The one answer a HELP keyword gets (the carriers' HELP response), in the customer's language:
/// who is writing, how to reach a person, and how to stop. `phone` is the dealership's number as
/// customers dial it, when it has one.
pub fn help_reply(language: &str, brand: &str, phone: Option<&str>) -> String {
    let spanish = language == "es";
    match (spanish, phone) {
        (true, Some(phone)) => format!("{brand}: para ayuda llama al {phone} o responde a este mensaje. Pueden aplicar tarifas de mensajes y datos. Responde STOP para darte de baja."),
        (true, None) => format!("{brand}: para ayuda responde a este mensaje y te responde una persona. Pueden aplicar tarifas de mensajes y datos. Responde STOP para darte de baja."),
        (false, Some(phone)) => format!("{brand}: for help call {phone} or reply to this text. Msg & data rates may apply. Reply STOP to opt out."),
        (false, None) => format!("{brand}: for help reply to this text and a person will answer. Msg & data rates may apply. Reply STOP to opt out."),
    }
}

/// When the customer asked or visited, said at `now` in `zone`'s calendar: "today", "yesterday",
/// "on Saturday" within the week, else "on March 3" (Spanish: "hoy", "ayer", "el sábado",
/// "el 3 de marzo").
pub fn visit_day(received: Timestamp, now: Timestamp, zone: &TimeZone, language: &str) -> String {
    let spanish = language == "es";
    let day = zone.to_datetime(received).date();
    let today = zone.to_datetime(now).date();
    let days = day.until(today).map_or(i32::MAX, |s| s.get_days());
    match days {
        i32::MIN..=0 => if spanish { "hoy" } else { "today" }.into(),
        1 => if spanish { "ayer" } else { "yesterday" }.into(),
        2..=6 if spanish => format!("el {}", weekday_es(day.weekday())),
        2..=6 => format!("on {}", day.strftime("%A")),
        _ if spanish => format!(
            "el {} de {}",
            day.day(),
            MONTHS_ES[day.month() as usize - 1]
        ),
        _ => format!("on {}", day.strftime("%B %-d")),
    }
}

const MONTHS_ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

fn weekday_es(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "lunes",
        Weekday::Tuesday => "martes",
        Weekday::Wednesday => "miércoles",
        Weekday::Thursday => "jueves",
        Weekday::Friday => "viernes",
        Weekday::Saturday => "sábado",
        Weekday::Sunday => "domingo",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("es", Some("es"))]
    #[case("es-MX", Some("es"))]
    #[case(" SPA ", Some("es"))]
    #[case("Español", Some("es"))]
    #[case("en_US", Some("en"))]
    #[case("English", Some("en"))]
    #[case("fr-CA", Some("fr"))]
    #[case("Klingon", None)]
    #[case("", None)]
    fn language_tags_are_read_as_sources_write_them(
        #[case] tag: &str,
        #[case] expected: Option<&str>,
    ) {
        assert_eq!(normalize_language(tag).as_deref(), expected);
    }

    #[test]
    fn the_leads_own_language_wins_then_their_words_then_the_dealerships() {
        let mut lead = LeadInput::default();
        let langs = ["en", "es"];
        assert_eq!(lead_language(&lead, None, "en", &langs), "en");
        assert_eq!(lead_language(&lead, Some("es"), "en", &langs), "es");
        lead.customer.preferred_language = Some("es-US".into());
        assert_eq!(lead_language(&lead, Some("en"), "en", &langs), "es");
        lead.customer.preferred_language = Some("fr".into());
        assert_eq!(lead_language(&lead, None, "en", &langs), "en");
    }

    #[test]
    fn the_language_of_their_replies_comes_after_the_documents_and_before_their_comments() {
        let langs = ["en", "es"];
        let mut lead = LeadInput::default();
        lead.customer.reply_language = Some("es".into());
        assert_eq!(lead_language(&lead, Some("en"), "en", &langs), "es");
        lead.customer.preferred_language = Some("en".into());
        assert_eq!(lead_language(&lead, None, "es", &langs), "en");
    }

    #[rstest]
    #[case::spanish_reply_to_an_english_lead(
        None,
        "Hola, sí me interesa la camioneta",
        "es",
        "en",
        Some("es")
    )]
    #[case::english_reply_to_a_lead_written_in_spanish(
        None,
        "Sorry, I only read English",
        "en",
        "es",
        Some("en")
    )]
    #[case::same_language(None, "Hola, sí me interesa", "es", "es", None)]
    #[case::the_document_decides(Some("en"), "Hola, sí me interesa la camioneta", "es", "en", None)]
    #[case::an_unreadable_document_language_does_not(
        Some("xx-klingon"),
        "Hola, sí me interesa",
        "es",
        "en",
        Some("es")
    )]
    #[case::too_short(None, "sí gracias", "es", "en", None)]
    #[case::undetermined(None, "Hola ok see you then", "und", "en", None)]
    #[case::no_blocks_in_it(None, "Bonjour, je suis intéressé", "fr", "en", None)]
    fn a_reply_sets_the_lead_language_only_when_the_document_gives_none(
        #[case] preferred: Option<&str>,
        #[case] reply: &str,
        #[case] detected: &str,
        #[case] current: &str,
        #[case] expected: Option<&str>,
    ) {
        let mut lead = LeadInput::default();
        lead.customer.preferred_language = preferred.map(str::to_owned);
        assert_eq!(
            reply_language_change(&lead, reply, detected, current, &["en", "es"]).as_deref(),
            expected
        );
    }

    #[rstest]
    #[case("HELP", Some("en"))]
    #[case(" help! ", Some("en"))]
    #[case("Info", Some("en"))]
    #[case("AYUDA", Some("es"))]
    #[case("¿ayuda?", Some("es"))]
    #[case("can you help me with financing?", None)]
    #[case("help me understand the price", None)]
    #[case("STOP", None)]
    #[case("", None)]
    fn only_a_lone_keyword_is_a_help_request(#[case] body: &str, #[case] expected: Option<&str>) {
        assert_eq!(help_keyword(body), expected, "{body:?}");
    }

    #[test]
    fn the_help_reply_names_the_store_how_to_reach_it_and_how_to_stop() {
        let en = help_reply("en", "Lakeside Motors", Some("(312) 555-0100"));
        assert!(
            en.starts_with("Lakeside Motors:")
                && en.contains("(312) 555-0100")
                && en.contains("Reply STOP"),
            "{en}"
        );
        let es = help_reply("es", "Lakeside Motors", Some("(312) 555-0100"));
        assert!(
            es.starts_with("Lakeside Motors:")
                && es.contains("para ayuda")
                && es.contains("Responde STOP"),
            "{es}"
        );
        let nameless = help_reply("en", "Lakeside Motors", None);
        assert!(nameless.contains("a person will answer"), "{nameless}");
    }

    #[test]
    fn the_opt_out_confirmation_speaks_the_customers_language() {
        assert_eq!(
            opt_out_confirmation("es", "Lakeside", true, &[]),
            "Lakeside: te dimos de baja y no te volveremos a escribir. Responde START si quieres volver a recibir mensajes."
        );
        assert_eq!(
            opt_out_confirmation("es", "Lakeside", false, &["call", "email"]),
            "Lakeside: entendido, ya no te contactaremos por teléfono ni por correo. Responde START para deshacerlo."
        );
        assert!(opt_out_confirmation("en", "Lakeside", true, &[]).contains("unsubscribed"));
        assert!(opt_out_confirmation("de", "Lakeside", false, &["sms"]).contains("no more texts"));
    }

    #[rstest]
    #[case("2026-03-07T18:00:00Z", "en", "today")]
    #[case("2026-03-08T15:00:00Z", "en", "yesterday")]
    #[case("2026-03-08T15:00:00Z", "es", "ayer")]
    #[case("2026-03-10T15:00:00Z", "en", "on Saturday")]
    #[case("2026-03-10T15:00:00Z", "es", "el sábado")]
    #[case("2026-03-20T15:00:00Z", "en", "on March 7")]
    #[case("2026-03-20T15:00:00Z", "es", "el 7 de marzo")]
    fn a_visit_is_dated_from_the_day_the_text_goes_out(
        #[case] now: &str,
        #[case] language: &str,
        #[case] expected: &str,
    ) {
        let zone = TimeZone::get("America/Chicago").unwrap_or(TimeZone::UTC);
        let visit: Timestamp = "2026-03-07T16:00:00Z".parse().unwrap_or_default();
        let now: Timestamp = now.parse().unwrap_or_default();
        assert_eq!(visit_day(visit, now, &zone, language), expected);
    }
}
