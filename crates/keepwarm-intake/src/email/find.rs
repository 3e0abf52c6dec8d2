//! Where lead data hides in a MIME message: ADF documents in attachments and bodies, and the text a
//! person would read.
//!
//! Owns the search only; reading the ADF is `crate::adf`'s job and reading labels is
//! `super::plain`'s. Transfer encodings (base64, quoted-printable) and charsets are already undone
//! by `mail-parser`.

use mail_parser::{Message, MimeHeaders, PartType};

use crate::text::html_to_text;

/// How deep forwarded messages (`message/rfc822` inside `message/rfc822`) are searched.
const MAX_NESTING: usize = 3;

/// An ADF document found in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    /// Where it was, for warnings (`attachment lead.xml`, `HTML body`).
    pub place: String,
    /// The document's bytes.
    pub bytes: Vec<u8>,
    /// The From address of the message it was in, when it was in a forwarded message (the outer
    /// sender is then only the person forwarding it).
    pub forwarded_from: Option<String>,
}

/// Every ADF document in the message, best first: XML attachments, then plain-text bodies, then
/// HTML bodies; forwarded messages after their parent's own parts.
pub(crate) fn adf_candidates(message: &Message<'_>) -> Vec<Candidate> {
    let mut found: Vec<(u8, Candidate)> = Vec::new();
    collect(message, "", None, 0, &mut found);
    found.sort_by_key(|(rank, _)| *rank);
    found.into_iter().map(|(_, c)| c).collect()
}

fn collect(
    message: &Message<'_>,
    prefix: &str,
    forwarded_from: Option<&str>,
    depth: usize,
    found: &mut Vec<(u8, Candidate)>,
) {
    let candidate = |place: String, bytes: Vec<u8>| Candidate {
        place,
        bytes,
        forwarded_from: forwarded_from.map(str::to_owned),
    };
    for (i, part) in message.parts.iter().enumerate() {
        let name = part.attachment_name().map(str::to_owned);
        let (ctype, subtype) = part
            .content_type()
            .map_or((String::new(), String::new()), |ct| {
                (
                    ct.ctype().to_ascii_lowercase(),
                    ct.subtype().unwrap_or_default().to_ascii_lowercase(),
                )
            });
        let place = match &name {
            Some(n) => format!("{prefix}attachment {n}"),
            None if ctype.is_empty() => format!("{prefix}part {}", i + 1),
            None => format!("{prefix}part {} ({ctype}/{subtype})", i + 1),
        };
        let xml_named = name.as_deref().is_some_and(|n| {
            let n = n.to_ascii_lowercase();
            n.ends_with(".xml") || n.ends_with(".adf")
        });
        let xml_typed = subtype == "xml" || subtype.ends_with("+xml") || subtype == "x-adf";
        match &part.body {
            PartType::Message(nested) if depth < MAX_NESTING => {
                let sender = nested
                    .from()
                    .and_then(|a| a.first())
                    .and_then(|a| a.address());
                collect(nested, &format!("{place}: "), sender, depth + 1, found);
            }
            PartType::Message(_) | PartType::Multipart(_) => {}
            _ if xml_named || xml_typed => {
                found.push((0, candidate(place, part.contents().to_vec())));
            }
            PartType::Binary(bytes) | PartType::InlineBinary(bytes) => {
                if let Some(adf) = find_adf(&String::from_utf8_lossy(bytes)) {
                    found.push((0, candidate(place, adf.into_bytes())));
                }
            }
            PartType::Text(text) => {
                if let Some(adf) = find_adf(text) {
                    found.push((1, candidate(place, adf.into_bytes())));
                }
            }
            PartType::Html(html) => {
                let adf = find_adf(html).or_else(|| {
                    contains_ignore_case(html, "&lt;adf")
                        .then(|| find_adf(&html_to_text(html)))
                        .flatten()
                });
                if let Some(adf) = adf {
                    found.push((2, candidate(place, adf.into_bytes())));
                }
            }
        }
    }
}

/// The text of the message as a person reads it: its plain-text bodies, or its HTML bodies turned
/// into text when it has none.
pub(crate) fn body_text(message: &Message<'_>) -> String {
    let text = bodies(message, &message.text_body);
    if text.trim().is_empty() {
        bodies(message, &message.html_body)
    } else {
        text
    }
}

fn bodies(message: &Message<'_>, ids: &[u32]) -> String {
    ids.iter()
        .filter_map(|id| message.parts.get(usize::try_from(*id).ok()?))
        .filter_map(|part| match &part.body {
            PartType::Text(text) => Some(text.to_string()),
            PartType::Html(html) => Some(html_to_text(html)),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The ADF document inside `text`: from `<adf` to the last `</adf>` (any case), or to the end when
/// the end tag is missing (the ADF parser then reports where it broke off).
pub(crate) fn find_adf(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let start = lower.match_indices("<adf").map(|(i, _)| i).find(|i| {
        lower
            .as_bytes()
            .get(i + 4)
            .is_some_and(|b| matches!(b, b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n'))
    })?;
    let end = lower
        .rfind("</adf")
        .filter(|e| *e > start)
        .map_or(text.len(), |e| {
            lower
                .get(e..)
                .and_then(|t| t.find('>'))
                .map_or(text.len(), |gt| e + gt + 1)
        });
    text.get(start..end).map(str::to_owned)
}

fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack.to_ascii_lowercase().contains(needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_adf_document_is_cut_out_of_surrounding_text() {
        let text = "Hello,\n<?xml version=\"1.0\"?>\n<ADF><prospect/></ADF>\nThanks";
        assert_eq!(find_adf(text).as_deref(), Some("<ADF><prospect/></ADF>"));
    }

    #[test]
    fn an_adf_without_end_tag_runs_to_the_end() {
        assert_eq!(
            find_adf("x <adf>\n<prospect>").as_deref(),
            Some("<adf>\n<prospect>")
        );
    }

    #[test]
    fn words_that_only_start_like_adf_are_not_adf() {
        assert_eq!(find_adf("<adfoo> and <adfx>"), None);
    }
}
