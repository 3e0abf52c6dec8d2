//! Renders one message block (plain text with paragraphs and URLs) and the dealership footer into
//! the text and the HTML alternatives of an e-mail.
//!
//! HTML is written only through [`Html`], whose one way to add caller text escapes it; literal
//! markup can only be `&'static str`, so user text can never reach the output unescaped. URLs
//! become links only for `http://` and `https://`, so no `javascript:` link can be produced.

use crate::compose::DealershipFooter;

/// An HTML document being written. Caller text goes through [`Html::text`] (escaped); markup is
/// `&'static str` only.
struct Html(String);

impl Html {
    fn markup(&mut self, markup: &'static str) {
        self.0.push_str(markup);
    }

    fn text(&mut self, text: &str) {
        for c in text.chars() {
            match c {
                '&' => self.0.push_str("&amp;"),
                '<' => self.0.push_str("&lt;"),
                '>' => self.0.push_str("&gt;"),
                '"' => self.0.push_str("&quot;"),
                '\'' => self.0.push_str("&#39;"),
                c => self.0.push(c),
            }
        }
    }

    /// `<a href="url">label</a>`, both escaped. Only called with http(s) URLs.
    fn link(&mut self, url: &str, label: &str) {
        self.markup("<a href=\"");
        self.text(url);
        self.markup("\">");
        self.text(label);
        self.markup("</a>");
    }
}

/// A piece of a line: plain text or a URL to link.
#[derive(Debug, PartialEq, Eq)]
enum Segment<'a> {
    Text(&'a str),
    Url(&'a str),
}

/// Where the next `http://` or `https://` starts in `s`.
fn find_url_start(s: &str) -> Option<usize> {
    let lower = s.to_ascii_lowercase();
    match (lower.find("https://"), lower.find("http://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Splits a line into text and URLs. A URL runs to the next whitespace or `<`, `>`, `"`, less
/// trailing sentence punctuation and an unbalanced closing parenthesis.
fn split_urls(line: &str) -> Vec<Segment<'_>> {
    let mut segments = Vec::new();
    let mut rest = line;
    while let Some(start) = find_url_start(rest) {
        let (before, from) = rest.split_at(start);
        let end = from
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
            .unwrap_or(from.len());
        let mut url = &from[..end];
        loop {
            let trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'']);
            let trimmed = if trimmed.ends_with(')')
                && trimmed.matches('(').count() < trimmed.matches(')').count()
            {
                &trimmed[..trimmed.len() - 1]
            } else {
                trimmed
            };
            if trimmed.len() == url.len() {
                break;
            }
            url = trimmed;
        }
        let scheme_only = !url.contains("://") || url.ends_with("://");
        if scheme_only {
            // Not a URL after all: keep the text and look further on.
            let skip = start + from.find("://").map_or(from.len(), |i| i + 3);
            segments.push(Segment::Text(&rest[..skip]));
            rest = &rest[skip..];
            continue;
        }
        if !before.is_empty() {
            segments.push(Segment::Text(before));
        }
        segments.push(Segment::Url(url));
        rest = &from[url.len()..];
    }
    if !rest.is_empty() {
        segments.push(Segment::Text(rest));
    }
    segments
}

/// The paragraphs of a message block: runs of non-blank lines, with line ends normalized and
/// trailing spaces dropped.
fn paragraphs(body: &str) -> Vec<Vec<&str>> {
    let mut paragraphs = Vec::new();
    let mut current = Vec::new();
    for line in body.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    paragraphs
}

/// The sentence in front of the unsubscribe link, in both alternatives.
fn unsubscribe_sentence(dealership: &str) -> String {
    format!("You are receiving this e-mail because you contacted {dealership}. To stop receiving these e-mails, unsubscribe here:")
}

/// The text alternative: the paragraphs, a signature separator, the footer and the unsubscribe
/// sentence with the bare URL.
pub(crate) fn render_text(body: &str, footer: &DealershipFooter, unsubscribe_url: &str) -> String {
    let mut out = String::new();
    for paragraph in paragraphs(body) {
        for line in paragraph {
            out.push_str(line);
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str("-- \n");
    for line in footer_lines(footer) {
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&unsubscribe_sentence(&footer.dealership_name));
    out.push('\n');
    out.push_str(unsubscribe_url);
    out.push('\n');
    out
}

fn footer_lines(footer: &DealershipFooter) -> impl Iterator<Item = &str> {
    std::iter::once(footer.dealership_name.as_str())
        .chain(footer.postal_address.iter().map(String::as_str))
        .chain(footer.phone.as_deref())
}

/// The HTML alternative: one `<p>` per paragraph (line breaks as `<br>`, URLs as links), then the
/// footer with the postal address and the unsubscribe link.
pub(crate) fn render_html(
    subject: &str,
    body: &str,
    footer: &DealershipFooter,
    unsubscribe_url: &str,
) -> String {
    let mut html = Html(String::new());
    html.markup("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    html.text(subject);
    html.markup("</title>\n</head>\n<body style=\"font-family: Arial, Helvetica, sans-serif; font-size: 15px; line-height: 1.5; color: #222222;\">\n");
    for paragraph in paragraphs(body) {
        html.markup("<p>");
        for (i, line) in paragraph.into_iter().enumerate() {
            if i > 0 {
                html.markup("<br>\n");
            }
            for segment in split_urls(line) {
                match segment {
                    Segment::Text(text) => html.text(text),
                    Segment::Url(url) => html.link(url, url),
                }
            }
        }
        html.markup("</p>\n");
    }
    html.markup("<hr style=\"border: none; border-top: 1px solid #dddddd; margin: 24px 0 12px;\">\n<p style=\"font-size: 12px; color: #666666;\">");
    for (i, line) in footer_lines(footer).enumerate() {
        if i > 0 {
            html.markup("<br>\n");
        }
        html.text(line);
    }
    html.markup("</p>\n<p style=\"font-size: 12px; color: #666666;\">");
    html.text(&unsubscribe_sentence(&footer.dealership_name));
    html.markup(" ");
    html.link(unsubscribe_url, "Unsubscribe");
    html.markup("</p>\n</body>\n</html>\n");
    html.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn footer() -> DealershipFooter {
        DealershipFooter {
            dealership_name: "Sunrise <Motors> & Sons".to_owned(),
            postal_address: vec!["12 Main St".to_owned(), "Springfield, IL 62701".to_owned()],
            phone: Some("(217) 555-0100".to_owned()),
        }
    }

    #[test]
    fn urls_are_split_out_without_trailing_punctuation() {
        assert_eq!(
            split_urls("See https://ex.com/a?b=1&c=2. Or (http://ex.com/x)!"),
            vec![
                Segment::Text("See "),
                Segment::Url("https://ex.com/a?b=1&c=2"),
                Segment::Text(". Or ("),
                Segment::Url("http://ex.com/x"),
                Segment::Text(")!"),
            ]
        );
        assert_eq!(
            split_urls("wiki https://en.wikipedia.org/wiki/Car_(disambiguation) ok"),
            vec![
                Segment::Text("wiki "),
                Segment::Url("https://en.wikipedia.org/wiki/Car_(disambiguation)"),
                Segment::Text(" ok"),
            ]
        );
        assert_eq!(
            split_urls("just https:// here"),
            vec![Segment::Text("just https://"), Segment::Text(" here")]
        );
    }

    #[test]
    fn paragraphs_become_p_elements_and_lines_become_br() {
        let html = render_html(
            "Hi",
            "Hi Dana,\n\nThe 2024 Civic is here.\nCome by!\r\n\r\n\r\nBest,\nSam",
            &footer(),
            "https://kw.example/u/t",
        );
        assert!(html.contains("<p>Hi Dana,</p>\n<p>The 2024 Civic is here.<br>\nCome by!</p>\n<p>Best,<br>\nSam</p>"), "{html}");
    }

    #[test]
    fn caller_text_is_escaped_in_html() {
        let html = render_html(
            "<b>subject</b>",
            "<script>alert('x')</script> & see https://ex.com/?a=1&b=\"2\"",
            &footer(),
            "https://kw.example/u/t",
        );
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; see"));
        assert!(html.contains("<a href=\"https://ex.com/?a=1&amp;b=\">https://ex.com/?a=1&amp;b=</a>&quot;2&quot;"), "{html}");
        assert!(html.contains("<title>&lt;b&gt;subject&lt;/b&gt;</title>"));
        assert!(html.contains("Sunrise &lt;Motors&gt; &amp; Sons<br>\n12 Main St<br>\nSpringfield, IL 62701<br>\n(217) 555-0100"));
        assert!(html.contains("<a href=\"https://kw.example/u/t\">Unsubscribe</a>"));
    }

    #[test]
    fn the_text_part_has_the_footer_and_the_bare_unsubscribe_url() {
        let text = render_text("Hello.\n\nBye.", &footer(), "https://kw.example/u/t");
        assert_eq!(
            text,
            "Hello.\n\nBye.\n\n-- \nSunrise <Motors> & Sons\n12 Main St\nSpringfield, IL 62701\n(217) 555-0100\n\n\
             You are receiving this e-mail because you contacted Sunrise <Motors> & Sons. To stop receiving these e-mails, unsubscribe here:\n\
             https://kw.example/u/t\n"
        );
    }
}
