//! Element tree → normalized leads.
//!
//! Owns the ADF vocabulary: which elements and attributes the DTD defines,
//! where they may appear, and how each maps onto [`AdfLead`]. It accepts
//! elements in any order and in any case, reads a namespaced root's prefix
//! as the ADF namespace, and keeps everything it does not map as an
//! [`Extension`]. Every leniency is recorded as a warning on the lead it
//! concerns. It never reads bytes or XML syntax: that is `tree`'s job.

mod customer;
mod vehicle;
mod vendor;

use crate::date::{normalize_date, Want};
use crate::error::AdfError;
use crate::lines::LineIndex;
use crate::model::{AdfDocument, AdfLead, Extension, ExtensionKind, ProspectId, ProspectStatus};
use crate::options::ParseOptions;
use crate::tree::{Element, Located, Tree};
use crate::values::normalize_enum;
use crate::warning::{push_unique, Warning, WarningCode};

/// Elements of ADF 1.0 and the attributes the DTD gives them.
const DTD: &[(&str, &[&str])] = &[
    ("adf", &[]),
    ("prospect", &["status"]),
    ("id", &["sequence", "source"]),
    ("requestdate", &[]),
    ("vehicle", &["interest", "status"]),
    ("year", &[]),
    ("make", &[]),
    ("model", &[]),
    ("vin", &[]),
    ("stock", &[]),
    ("trim", &[]),
    ("doors", &[]),
    ("bodystyle", &[]),
    ("transmission", &[]),
    ("odometer", &["status", "units"]),
    ("condition", &[]),
    ("colorcombination", &[]),
    ("interiorcolor", &[]),
    ("exteriorcolor", &[]),
    ("preference", &[]),
    ("imagetag", &["width", "height", "alttext"]),
    (
        "price",
        &["type", "currency", "delta", "relativeto", "source"],
    ),
    ("pricecomments", &[]),
    ("option", &[]),
    ("optionname", &[]),
    ("manufacturercode", &[]),
    ("weighting", &[]),
    ("finance", &[]),
    ("method", &[]),
    ("amount", &["type", "limit", "currency"]),
    ("balance", &["type", "currency"]),
    ("comments", &[]),
    ("customer", &[]),
    ("contact", &["primarycontact"]),
    ("name", &["part", "type"]),
    ("email", &["preferredcontact"]),
    ("phone", &["type", "time", "preferredcontact"]),
    ("address", &["type"]),
    ("street", &["line"]),
    ("apartment", &[]),
    ("city", &[]),
    ("regioncode", &[]),
    ("postalcode", &[]),
    ("country", &[]),
    ("timeframe", &[]),
    ("description", &[]),
    ("earliestdate", &[]),
    ("latestdate", &[]),
    ("vendor", &[]),
    ("vendorname", &[]),
    ("url", &[]),
    ("provider", &[]),
    ("service", &[]),
];

/// Turns the tree into a document. `doc_warnings` are the repairs made
/// before the tree (decoding, prolog).
pub(crate) fn map_document(
    tree: Tree,
    text: &str,
    lines: &LineIndex,
    opts: &ParseOptions,
    mut doc_warnings: Vec<Warning>,
    adf_version: Option<String>,
) -> Result<AdfDocument, AdfError> {
    let mut roots = tree.roots.into_iter();
    let Some(root) = roots.next() else {
        let (line, column) = lines.position(text, text.len());
        return Err(AdfError::Malformed {
            message: "no root element".to_owned(),
            line,
            column,
        });
    };
    let mut mapper = Mapper {
        text,
        lines,
        opts,
        adf_prefix: root.prefix.clone(),
    };
    let mut doc = AdfDocument {
        adf_version,
        ..AdfDocument::default()
    };
    let mut spans = Vec::new();
    let mut doc_cx = Cx::default();
    match root.local.as_str() {
        "adf" => {}
        "prospect" => doc_cx.warn(
            WarningCode::MissingAdfRoot,
            "the root is <prospect> without <adf>; read as one prospect",
            Some(lines.line(root.span.start)),
        ),
        _ => {
            let (line, column) = lines.position(text, root.span.start);
            return Err(AdfError::NotAdf {
                root: root.name,
                line,
                column,
            });
        }
    }
    if let Some(prefix) = &root.prefix {
        doc_cx.warn(
            WarningCode::NamespacePrefixIgnored,
            format!(
                "read root <{}> as <{}>; prefix {prefix:?} taken as the ADF namespace",
                root.name, root.local
            ),
            Some(lines.line(root.span.start)),
        );
    }
    let prospects = root.elements().filter(|c| c.local == "prospect").count();
    if prospects > opts.max_prospects {
        return Err(AdfError::TooManyProspects {
            count: prospects,
            limit: opts.max_prospects,
        });
    }
    mapper.case_check(&root, &mut doc_cx);
    if root.local == "prospect" {
        spans.push(root.span.clone());
        doc.prospects.push(mapper.map_prospect(&root, ""));
    } else {
        mapper.map_adf(&root, &mut doc, &mut spans, &mut doc_cx);
    }
    for extra in roots {
        doc_cx.warn(
            WarningCode::ExtraRootElement,
            format!("found <{}> after the root element", extra.name),
            Some(lines.line(extra.span.start)),
        );
        if extra.local == "adf" && mapper.is_adf(&extra) {
            mapper.map_adf(&extra, &mut doc, &mut spans, &mut doc_cx);
        } else {
            doc_cx
                .extensions
                .push(mapper.extension(&extra, "", ExtensionKind::Element));
        }
    }
    doc.extensions = doc_cx.extensions;

    // Tree repairs belong to the prospect whose text they are in.
    let mut per_lead: Vec<Vec<Warning>> = vec![Vec::new(); doc.prospects.len()];
    for Located { offset, warning } in tree.warnings {
        match spans.iter().position(|s| s.contains(&offset)) {
            Some(i) => per_lead
                .get_mut(i)
                .into_iter()
                .for_each(|w| w.push(warning.clone())),
            None => doc_cx.warnings.push(warning),
        }
    }
    for w in doc_cx.warnings {
        push_unique(&mut doc_warnings, w);
    }
    for (lead, tree_warnings) in doc.prospects.iter_mut().zip(per_lead) {
        let mut own = tree_warnings;
        own.append(&mut lead.warnings);
        own.sort_by_key(|w| w.line.unwrap_or(0));
        let mut all = doc_warnings.clone();
        for w in own {
            push_unique(&mut all, w);
        }
        lead.warnings = all;
    }
    doc.warnings = doc_warnings;
    Ok(doc)
}

/// Per-lead (or per-document) collection of warnings and extensions.
#[derive(Default)]
pub(crate) struct Cx {
    pub(crate) warnings: Vec<Warning>,
    pub(crate) extensions: Vec<Extension>,
}

impl Cx {
    pub(crate) fn warn(
        &mut self,
        code: WarningCode,
        message: impl Into<String>,
        line: Option<usize>,
    ) {
        push_unique(&mut self.warnings, Warning::new(code, message, line));
    }
}

/// Shared state of one mapping run.
pub(crate) struct Mapper<'a> {
    text: &'a str,
    lines: &'a LineIndex,
    opts: &'a ParseOptions,
    /// The root's prefix: elements with it (or none) are ADF elements.
    adf_prefix: Option<String>,
}

impl Mapper<'_> {
    fn map_adf(
        &mut self,
        root: &Element,
        doc: &mut AdfDocument,
        spans: &mut Vec<std::ops::Range<usize>>,
        cx: &mut Cx,
    ) {
        self.keep_unknown_attributes(root, "", cx);
        let path = root.name.clone();
        for child in root.elements() {
            if self.dtd_name(child, cx) == Some("prospect") {
                spans.push(child.span.clone());
                doc.prospects.push(self.map_prospect(child, &path));
            } else {
                cx.extensions
                    .push(self.extension(child, &path, ExtensionKind::Element));
                cx.warn(
                    WarningCode::ExtensionKept,
                    format!("kept <{}> in {path} as an extension", child.name),
                    self.line(child),
                );
            }
        }
    }

    fn map_prospect(&mut self, el: &Element, parent: &str) -> AdfLead {
        let path = join(parent, &el.name);
        let mut lead = AdfLead::default();
        let mut cx = Cx::default();
        self.keep_unknown_attributes(el, parent, &mut cx);
        if let Some(raw) = el.attr("status") {
            let (value, repair) = normalize_enum(raw, "prospect status", &["new", "resend"], &[]);
            self.repair(&mut cx, el, repair);
            if value.as_deref() == Some("resend") {
                lead.status = ProspectStatus::Resend;
            } else if value.as_deref().is_some_and(|v| v != "new") {
                cx.warn(
                    WarningCode::UnknownEnumValue,
                    format!("prospect status {raw:?} read as \"new\""),
                    self.line(el),
                );
            }
        }
        let mut order = Order::new(&[
            "id",
            "requestdate",
            "vehicle",
            "customer",
            "vendor",
            "provider",
        ]);
        let mut seen = Vec::new();
        let mut prospect_comments = None;
        for child in el.elements() {
            let name = self.dtd_name(child, &mut cx);
            if let Some(name) = name {
                order.check(self, name, child, el, &mut cx);
            }
            let single = matches!(
                name,
                Some("requestdate" | "customer" | "vendor" | "provider")
            );
            if single && self.is_duplicate(&mut seen, child, &path, &mut cx) {
                continue;
            }
            match name {
                Some("id") => {
                    if let Some(id) = self.map_id(child, &path, &mut cx) {
                        lead.ids.push(id);
                    }
                }
                Some("requestdate") => {
                    let raw = self.leaf(child, &path, &mut cx, false).unwrap_or_default();
                    let out = normalize_date(&raw, Want::DateTime, &self.opts.time_zone);
                    for (code, message) in out.repairs {
                        cx.warn(code, message, self.line(child));
                    }
                    lead.received_at = out.value;
                }
                Some("vehicle") => {
                    let vehicle = self.map_vehicle(child, &path, &mut cx);
                    lead.vehicles.push(vehicle);
                }
                Some("customer") => self.map_customer(child, &path, &mut lead, &mut cx),
                Some("vendor") => self.map_vendor(child, &path, &mut lead, &mut cx),
                Some("provider") => self.map_provider(child, &path, &mut lead, &mut cx),
                Some("comments") => {
                    cx.warn(
                        WarningCode::ElementOutOfPlace,
                        "read <comments> directly in <prospect> as the lead's comments",
                        self.line(child),
                    );
                    prospect_comments = self.leaf(child, &path, &mut cx, true);
                }
                _ => self.keep(child, &path, &mut cx),
            }
        }
        lead.source.provider_lead_id = lead.ids.first().map(|id| id.value.clone());
        lead.comments = lead.customer.comments.clone().or(prospect_comments);
        lead.extensions = cx.extensions;
        lead.warnings = cx.warnings;
        lead
    }

    fn map_id(&mut self, el: &Element, parent: &str, cx: &mut Cx) -> Option<ProspectId> {
        self.keep_unknown_attributes(el, parent, cx);
        let value = self.leaf(el, parent, cx, false)?;
        let sequence = el.attr("sequence").and_then(|raw| {
            let parsed = raw.trim().parse::<u32>().ok();
            if parsed.is_none() {
                cx.warn(
                    WarningCode::InvalidNumber,
                    format!("could not read id sequence {raw:?}; left out"),
                    self.line(el),
                );
            }
            parsed
        });
        Some(ProspectId {
            value,
            source: non_empty(el.attr("source")),
            sequence,
        })
    }

    fn map_provider(&mut self, el: &Element, parent: &str, lead: &mut AdfLead, cx: &mut Cx) {
        let path = join(parent, &el.name);
        self.keep_unknown_attributes(el, parent, cx);
        let mut order = Order::new(&["id", "name", "service", "url", "email", "phone", "contact"]);
        let mut seen = Vec::new();
        let mut names = Vec::new();
        for child in el.elements() {
            let name = self.dtd_name(child, cx);
            if let Some(name) = name {
                order.check(self, name, child, el, cx);
            }
            match name {
                Some("name") => {
                    self.keep_unknown_attributes(child, &path, cx);
                    names.extend(self.leaf(child, &path, cx, false));
                }
                Some("service") if !self.is_duplicate(&mut seen, child, &path, cx) => {
                    lead.source.provider_service = self.leaf(child, &path, cx, false);
                }
                Some("service") => {}
                Some("id" | "url" | "email" | "phone" | "contact") => {
                    self.keep_unmapped(child, &path, cx);
                }
                _ => self.keep(child, &path, cx),
            }
        }
        lead.source.provider = (!names.is_empty()).then(|| names.join(" "));
    }

    // ----- helpers shared by the element mappers -----

    /// The element's ADF name (lower-case local name) if it is in the ADF
    /// namespace and the DTD knows it; warns about upper-case names.
    fn dtd_name(&self, el: &Element, cx: &mut Cx) -> Option<&'static str> {
        if !self.is_adf(el) {
            return None;
        }
        let (name, _) = DTD.iter().find(|(n, _)| *n == el.local)?;
        self.case_check(el, cx);
        Some(name)
    }

    fn is_adf(&self, el: &Element) -> bool {
        el.prefix.is_none() || el.prefix == self.adf_prefix
    }

    fn case_check(&self, el: &Element, cx: &mut Cx) {
        if el.local_raw != el.local {
            cx.warn(
                WarningCode::ElementNameCase,
                format!("read <{}> as <{}>", el.local_raw, el.local),
                self.line(el),
            );
        }
    }

    /// Trimmed text of a leaf element (whitespace collapsed unless
    /// `multiline`), `None` when empty. Child elements inside it are kept
    /// as extensions and reported as mixed content.
    fn leaf(&self, el: &Element, parent: &str, cx: &mut Cx, multiline: bool) -> Option<String> {
        let path = join(parent, &el.name);
        for child in el.elements() {
            cx.warn(
                WarningCode::MixedContent,
                format!(
                    "<{}> inside <{}>: its text was kept in the value",
                    child.name, el.name
                ),
                self.line(child),
            );
            cx.extensions
                .push(self.extension(child, &path, ExtensionKind::Element));
        }
        let text = el.text();
        let value = if multiline {
            text.trim().to_owned()
        } else {
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        (!value.is_empty()).then_some(value)
    }

    /// Keeps an element the DTD does not know (or that is misplaced).
    fn keep(&self, el: &Element, parent: &str, cx: &mut Cx) {
        let kind = if self.is_adf(el) && DTD.iter().any(|(n, _)| *n == el.local) {
            ExtensionKind::Unmapped
        } else {
            cx.warn(
                WarningCode::ExtensionKept,
                format!("kept <{}> in {parent} as an extension", el.name),
                self.line(el),
            );
            ExtensionKind::Element
        };
        cx.extensions.push(self.extension(el, parent, kind));
    }

    /// Keeps a DTD element the normalized lead has no field for.
    fn keep_unmapped(&self, el: &Element, parent: &str, cx: &mut Cx) {
        cx.extensions
            .push(self.extension(el, parent, ExtensionKind::Unmapped));
    }

    fn extension(&self, el: &Element, parent: &str, kind: ExtensionKind) -> Extension {
        Extension {
            path: join(parent, &el.name),
            kind,
            xml: self.text.get(el.span.clone()).map(str::to_owned),
            text: el.text().trim().to_owned(),
        }
    }

    /// Keeps attributes the DTD does not define for this element
    /// (namespace declarations excepted).
    fn keep_unknown_attributes(&self, el: &Element, parent: &str, cx: &mut Cx) {
        let known = DTD
            .iter()
            .find(|(n, _)| *n == el.local)
            .map_or(&[][..], |(_, attrs)| *attrs);
        for attr in &el.attrs {
            let declaration = attr.name == "xmlns" || attr.name.starts_with("xmlns:");
            if declaration || (!attr.namespaced && known.contains(&attr.local.as_str())) {
                continue;
            }
            cx.extensions.push(Extension {
                path: format!("{}/@{}", join(parent, &el.name), attr.name),
                kind: ExtensionKind::Attribute,
                xml: None,
                text: attr.value.clone(),
            });
        }
    }

    /// For elements that may appear once: true (and the element kept as
    /// an extension) if one with this name was already read.
    fn is_duplicate(
        &self,
        seen: &mut Vec<String>,
        el: &Element,
        parent: &str,
        cx: &mut Cx,
    ) -> bool {
        if seen.contains(&el.local) {
            cx.warn(
                WarningCode::DuplicateElement,
                format!(
                    "used the first <{}>; kept the others as extensions",
                    el.local
                ),
                self.line(el),
            );
            self.keep_unmapped(el, parent, cx);
            return true;
        }
        seen.push(el.local.clone());
        false
    }

    fn repair(&self, cx: &mut Cx, el: &Element, repair: Option<(WarningCode, String)>) {
        if let Some((code, message)) = repair {
            cx.warn(code, message, self.line(el));
        }
    }

    fn line(&self, el: &Element) -> Option<usize> {
        Some(self.lines.line(el.span.start))
    }
}

/// Checks that children follow the DTD's order; warns once per parent.
pub(crate) struct Order {
    order: &'static [&'static str],
    max: usize,
    warned: bool,
}

impl Order {
    pub(crate) fn new(order: &'static [&'static str]) -> Self {
        Self {
            order,
            max: 0,
            warned: false,
        }
    }

    pub(crate) fn check(
        &mut self,
        m: &Mapper<'_>,
        name: &str,
        el: &Element,
        parent: &Element,
        cx: &mut Cx,
    ) {
        let Some(index) = self.order.iter().position(|n| *n == name) else {
            return;
        };
        if index < self.max && !self.warned {
            self.warned = true;
            let after = self.order.get(self.max).copied().unwrap_or_default();
            cx.warn(
                WarningCode::ElementOutOfOrder,
                format!("<{name}> after <{after}> in <{}>; read anyway", parent.name),
                m.line(el),
            );
        }
        self.max = self.max.max(index);
    }
}

pub(crate) fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}/{name}")
    }
}

pub(crate) fn non_empty(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}
