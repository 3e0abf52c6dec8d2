//! XML events → a small element tree.
//!
//! Owns the XML-level leniency and safety on top of `quick-xml`: the depth
//! limit, the attribute and element caps, end-tag repair (case differences, unclosed children, stray end
//! tags), entity policy (see `entity`), and the refusal of any DOCTYPE that
//! survives the prolog. Errors carry line and column. It knows nothing of
//! ADF: names are kept as written plus a lower-cased local name for the
//! mapper to match on. Comments are dropped; CDATA becomes plain text.

use std::collections::HashSet;
use std::ops::Range;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::entity::{bare_ampersand, resolve_reference, unescape};
use crate::error::AdfError;
use crate::lines::LineIndex;
use crate::options::ParseOptions;
use crate::warning::{Warning, WarningCode};

/// An element with its children and where it sits in the text.
#[derive(Debug, Clone)]
pub(crate) struct Element {
    /// The name as written (`p:token`, `VEHICLE`).
    pub(crate) name: String,
    /// The namespace prefix, if any.
    pub(crate) prefix: Option<String>,
    /// The local name as written (`token`, `VEHICLE`).
    pub(crate) local_raw: String,
    /// The local name, lower-cased (`token`, `vehicle`).
    pub(crate) local: String,
    /// Attributes in document order, duplicates removed.
    pub(crate) attrs: Vec<Attr>,
    /// Child elements and text runs.
    pub(crate) children: Vec<Node>,
    /// Byte range from `<` of the start tag to `>` of the end tag.
    pub(crate) span: Range<usize>,
}

/// One attribute, value unescaped.
#[derive(Debug, Clone)]
pub(crate) struct Attr {
    /// The name as written.
    pub(crate) name: String,
    /// The local name, lower-cased.
    pub(crate) local: String,
    /// Whether the name has a namespace prefix or is a namespace declaration.
    pub(crate) namespaced: bool,
    /// The unescaped value.
    pub(crate) value: String,
}

/// A child of an element.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Element(Element),
    Text(String),
}

/// A warning and the byte offset it concerns.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    pub(crate) offset: usize,
    pub(crate) warning: Warning,
}

/// The top-level elements of a document (normally exactly one) and the
/// repairs made while reading them.
#[derive(Debug)]
pub(crate) struct Tree {
    pub(crate) roots: Vec<Element>,
    pub(crate) warnings: Vec<Located>,
}

struct Builder<'t> {
    text: &'t str,
    lines: &'t LineIndex,
    opts: &'t ParseOptions,
    elements: usize,
    stack: Vec<Element>,
    roots: Vec<Element>,
    warnings: Vec<Located>,
}

/// Reads `text` (prolog already blanked) into a [`Tree`].
pub(crate) fn build_tree(
    text: &str,
    lines: &LineIndex,
    opts: &ParseOptions,
) -> Result<Tree, AdfError> {
    let mut reader = Reader::from_str(text);
    {
        let config = reader.config_mut();
        config.trim_text(false);
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.allow_dangling_amp = true;
        config.check_comments = false;
        config.expand_empty_elements = false;
    }
    let mut b = Builder {
        text,
        lines,
        opts,
        elements: 0,
        stack: Vec::new(),
        roots: Vec::new(),
        warnings: Vec::new(),
    };
    loop {
        let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                return Err(b.malformed(at, format!("not well-formed XML: {e}")));
            }
        };
        let end = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match event {
            Event::Start(tag) => {
                if b.stack.len() >= opts.max_depth {
                    return Err(b.too_deep(opts.max_depth, start));
                }
                let element = b.open(&tag, start, end)?;
                b.stack.push(element);
            }
            Event::Empty(tag) => {
                if b.stack.len() >= opts.max_depth {
                    return Err(b.too_deep(opts.max_depth, start));
                }
                let element = b.open(&tag, start, end)?;
                b.attach(element);
            }
            Event::End(tag) => b.close(tag.name().as_ref(), start, end),
            Event::Text(t) => {
                let content = t.xml10_content();
                if content.contains('&') {
                    let (code, message) = bare_ampersand();
                    b.warn(start, code, message);
                }
                b.push_text(start, &content);
            }
            Event::CData(c) => b.push_text(start, &c.xml10_content()),
            Event::GeneralRef(r) => {
                let resolution = resolve_reference(&r);
                if let Some((code, message)) = resolution.repair {
                    b.warn(start, code, message);
                }
                b.push_text(start, &resolution.text);
            }
            Event::Comment(_) => {}
            Event::PI(pi) => b.warn(
                start,
                WarningCode::ProcessingInstructionIgnored,
                format!(
                    "skipped processing instruction <?{}?>",
                    pi.split_whitespace().next().unwrap_or_default()
                ),
            ),
            Event::Decl(_) => b.warn(
                start,
                WarningCode::XmlDeclarationRepaired,
                "skipped an XML declaration after the start of the document",
            ),
            Event::DocType(_) => {
                let (line, column) = lines.position(text, start);
                return Err(AdfError::DoctypeForbidden {
                    reason: "<!DOCTYPE> after the start of the document".to_owned(),
                    line,
                    column,
                });
            }
            Event::Eof => break,
        }
    }
    if let Some(open) = b.stack.last() {
        let (line, _) = lines.position(text, open.span.start);
        let message = format!(
            "document ends before <{}> (opened on line {line}) is closed",
            open.name
        );
        return Err(b.malformed(text.len(), message));
    }
    if b.roots.is_empty() {
        return Err(b.malformed(text.len(), "no root element".to_owned()));
    }
    Ok(Tree {
        roots: b.roots,
        warnings: b.warnings,
    })
}

impl Builder<'_> {
    fn open(
        &mut self,
        tag: &BytesStart<'_>,
        start: usize,
        end: usize,
    ) -> Result<Element, AdfError> {
        let name = tag.name().as_ref().to_owned();
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_' || c == ':');
        if !valid {
            let message = format!("invalid element name {:?} (a bare '<' in text?)", name);
            return Err(self.malformed(start, message));
        }
        let (prefix, local_raw) = match name.split_once(':') {
            Some((p, l)) if !p.is_empty() && !l.is_empty() => (Some(p.to_owned()), l.to_owned()),
            _ => (None, name.clone()),
        };
        self.elements += 1;
        if self.elements > self.opts.max_elements {
            let (line, column) = self.lines.position(self.text, start);
            return Err(AdfError::TooManyElements {
                limit: self.opts.max_elements,
                line,
                column,
            });
        }
        let attrs = self.read_attributes(tag, start)?;
        Ok(Element {
            local: local_raw.to_lowercase(),
            name,
            prefix,
            local_raw,
            attrs,
            children: Vec::new(),
            span: start..end,
        })
    }

    /// The tag's attributes, duplicates (names compared without regard to
    /// ASCII case) dropped with a warning. Linear in the tag's length: a set
    /// of the names seen finds duplicates, and the count is checked before
    /// anything is kept.
    fn read_attributes(
        &mut self,
        tag: &BytesStart<'_>,
        start: usize,
    ) -> Result<Vec<Attr>, AdfError> {
        let mut attrs: Vec<Attr> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut iter = tag.html_attributes();
        iter.with_checks(false);
        for (count, attr) in iter.enumerate() {
            if count >= self.opts.max_attributes {
                let (line, column) = self.lines.position(self.text, start);
                return Err(AdfError::TooManyAttributes {
                    element: tag.name().as_ref().to_owned(),
                    limit: self.opts.max_attributes,
                    line,
                    column,
                });
            }
            let attr = match attr {
                Ok(a) => a,
                Err(e) => {
                    self.warn(
                        start,
                        WarningCode::MalformedAttributeIgnored,
                        format!(
                            "skipped unreadable attributes on <{}>: {e}",
                            tag.name().as_ref()
                        ),
                    );
                    break;
                }
            };
            let name = attr.key.as_ref().to_owned();
            if !seen.insert(name.to_ascii_lowercase()) {
                self.warn(
                    start,
                    WarningCode::DuplicateAttributeIgnored,
                    format!(
                        "ignored repeated attribute {name} on <{}>",
                        tag.name().as_ref()
                    ),
                );
                continue;
            }
            let mut repairs = Vec::new();
            let value = unescape(&attr.value, &mut repairs);
            for (code, message) in repairs {
                self.warn(start, code, message);
            }
            let (namespaced, local) = match name.split_once(':') {
                Some((_, l)) => (true, l.to_lowercase()),
                None => (name == "xmlns", name.to_lowercase()),
            };
            attrs.push(Attr {
                name,
                local,
                namespaced,
                value,
            });
        }
        Ok(attrs)
    }

    fn close(&mut self, name: &str, start: usize, end: usize) {
        let Some(depth) = self
            .stack
            .iter()
            .rposition(|e| e.name.eq_ignore_ascii_case(name))
        else {
            self.warn(
                start,
                WarningCode::StrayEndTagIgnored,
                format!("skipped </{name}>, which closes no open element"),
            );
            return;
        };
        while self.stack.len() > depth + 1 {
            if let Some(mut unclosed) = self.stack.pop() {
                self.warn(
                    start,
                    WarningCode::EndTagRepaired,
                    format!("closed <{}> implicitly at </{name}>", unclosed.name),
                );
                unclosed.span.end = start;
                self.attach(unclosed);
            }
        }
        if let Some(mut element) = self.stack.pop() {
            if element.name != name {
                self.warn(
                    start,
                    WarningCode::EndTagRepaired,
                    format!("matched </{name}> to <{}>", element.name),
                );
            }
            element.span.end = end;
            self.attach(element);
        }
    }

    fn attach(&mut self, element: Element) {
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(Node::Element(element)),
            None => self.roots.push(element),
        }
    }

    fn push_text(&mut self, offset: usize, content: &str) {
        let Some(parent) = self.stack.last_mut() else {
            if !content.trim().is_empty() {
                self.warn(
                    offset,
                    WarningCode::ContentOutsideRoot,
                    "skipped text outside the root element",
                );
            }
            return;
        };
        match parent.children.last_mut() {
            Some(Node::Text(text)) => text.push_str(content),
            _ => parent.children.push(Node::Text(content.to_owned())),
        }
    }

    fn warn(&mut self, offset: usize, code: WarningCode, message: impl Into<String>) {
        let line = Some(self.lines.line(offset));
        self.warnings.push(Located {
            offset,
            warning: Warning::new(code, message, line),
        });
    }

    fn malformed(&self, offset: usize, message: String) -> AdfError {
        let (line, column) = self.lines.position(self.text, offset);
        AdfError::Malformed {
            message,
            line,
            column,
        }
    }

    fn too_deep(&self, limit: usize, offset: usize) -> AdfError {
        let (line, column) = self.lines.position(self.text, offset);
        AdfError::TooDeep {
            limit,
            line,
            column,
        }
    }
}

impl Element {
    /// The value of the first attribute with this lower-case local name
    /// and no namespace prefix.
    pub(crate) fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| !a.namespaced && a.local == local)
            .map(|a| a.value.as_str())
    }

    /// All text inside the element, descendants included, in order.
    pub(crate) fn text(&self) -> String {
        let mut out = String::new();
        collect_text(self, &mut out);
        out
    }

    /// Child elements, in order.
    pub(crate) fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }
}

fn collect_text(element: &Element, out: &mut String) {
    for child in &element.children {
        match child {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) => collect_text(e, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> Result<Tree, AdfError> {
        build_tree(text, &LineIndex::new(text), &ParseOptions::default())
    }

    fn codes(t: &Tree) -> Vec<WarningCode> {
        t.warnings.iter().map(|l| l.warning.code).collect()
    }

    #[test]
    fn an_end_tag_in_another_case_closes_its_element_with_a_warning() {
        let t = tree("<adf><Vehicle>x</vehicle></adf>").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(codes(&t), [WarningCode::EndTagRepaired]);
        let root = t.roots.first().map(Element::text);
        assert_eq!(root.as_deref(), Some("x"));
    }

    #[test]
    fn an_unclosed_child_is_closed_by_its_parents_end_tag() {
        let t = tree("<adf><a><b>x</a><c/></adf>").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(codes(&t), [WarningCode::EndTagRepaired]);
        let names: Vec<_> = t
            .roots
            .iter()
            .flat_map(|r| r.elements().map(|e| e.name.clone()))
            .collect();
        assert_eq!(names, ["a", "c"]);
    }

    #[test]
    fn a_stray_end_tag_is_skipped() {
        let t = tree("<adf>x</b></adf>").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(codes(&t), [WarningCode::StrayEndTagIgnored]);
    }

    #[test]
    fn cdata_entities_and_text_merge_into_one_run() {
        let t = tree("<a>x &amp; <![CDATA[<b>]]>&#233;</a>").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.roots.first().map(|r| r.children.len()), Some(1));
        assert_eq!(
            t.roots.first().map(Element::text).as_deref(),
            Some("x & <b>é")
        );
    }

    #[test]
    fn a_truncated_document_is_malformed_at_its_end() {
        let err = tree("<adf>\n<prospect>\n<customer>").err();
        assert!(matches!(
            err,
            Some(AdfError::Malformed { line: 3, column: 11, ref message })
                if message.contains("<customer>")
        ));
    }

    #[test]
    fn a_bare_less_than_sign_is_malformed() {
        assert!(matches!(
            tree("<a>1 < 2</a>"),
            Err(AdfError::Malformed { line: 1, .. })
        ));
    }

    #[test]
    fn depth_is_limited_before_the_element_is_built() {
        let opts = ParseOptions {
            max_depth: 2,
            ..ParseOptions::default()
        };
        let text = "<a>\n<b>\n  <c/></b></a>";
        let err = build_tree(text, &LineIndex::new(text), &opts).err();
        assert_eq!(
            err,
            Some(AdfError::TooDeep {
                limit: 2,
                line: 3,
                column: 3
            })
        );
    }

    #[test]
    fn duplicate_and_namespaced_attributes_are_told_apart() {
        let t = tree("<a x='1' X='2' p:x='3' xmlns:p='u'/>").unwrap_or_else(|e| panic!("{e}"));
        let root = t.roots.first();
        assert_eq!(root.and_then(|r| r.attr("x")), Some("1"));
        assert_eq!(root.map(|r| r.attrs.len()), Some(3));
        assert_eq!(codes(&t), [WarningCode::DuplicateAttributeIgnored]);
    }
}
