//! `<customer>` → [`Customer`], [`Timeframe`] and the lead's comments.
//!
//! Owns contact details: name parts (with `name` lacking `part`, and full
//! names split into first and last), phones with normalized kinds, e-mails,
//! the address, the preferred channel, the timeframe and comments. Several
//! `<contact>` elements are merged: names from the primary (or first)
//! contact, phones and e-mails from all. A `<consent>` element (keepwarm's extension;
//! ADF 1.0 has none) becomes a [`Consent`] with its values raw.

use super::{Cx, Mapper, Order};
use crate::date::{normalize_date, Want};
use crate::model::{Address, AdfLead, Consent, Customer, Phone, Timeframe};
use crate::tree::Element;
use crate::values::{
    normalize_enum, normalize_phone_kind, NAME_PART, PHONE_TIME, PHONE_TIME_ALIASES,
};
use crate::warning::WarningCode;

/// Name parts read from one contact.
#[derive(Default)]
pub(super) struct Names {
    first: Option<String>,
    middle: Option<String>,
    last: Option<String>,
    suffix: Option<String>,
    full: Option<String>,
    business: bool,
}

impl Names {
    /// The full name as given, else the parts joined (`first middle last suffix`).
    pub(super) fn whole(&self) -> Option<String> {
        let parts: Vec<&str> = [&self.first, &self.middle, &self.last, &self.suffix]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        self.full
            .clone()
            .or_else(|| (!parts.is_empty()).then(|| parts.join(" ")))
    }
}

impl Mapper<'_> {
    pub(super) fn map_customer(
        &mut self,
        el: &Element,
        parent: &str,
        lead: &mut AdfLead,
        cx: &mut Cx,
    ) {
        let path = super::join(parent, &el.name);
        self.keep_unknown_attributes(el, parent, cx);
        let mut order = Order::new(&["contact", "id", "timeframe", "comments"]);
        let mut seen = Vec::new();
        let contacts: Vec<&Element> = el
            .elements()
            .filter(|c| self.is_adf(c) && c.local == "contact")
            .collect();
        if contacts.len() > 1 {
            cx.warn(
                WarningCode::MultipleContacts,
                format!(
                    "merged {} <contact> elements; names from the primary one",
                    contacts.len()
                ),
                self.line(el),
            );
        }
        let primary = contacts
            .iter()
            .position(|c| c.attr("primarycontact").map(str::trim) == Some("1"))
            .unwrap_or(0);
        let mut customer = Customer::default();
        let mut contact_index = 0;
        for child in el.elements() {
            let name = self.dtd_name(child, cx);
            if let Some(name) = name {
                order.check(self, name, child, el, cx);
            }
            let single = matches!(name, Some("timeframe" | "comments"));
            if single && self.is_duplicate(&mut seen, child, &path, cx) {
                continue;
            }
            match name {
                Some("contact") => {
                    let names = self.map_contact(child, &path, &mut customer, cx);
                    if contact_index == primary {
                        self.apply_names(names, child, &mut customer, cx);
                    }
                    contact_index += 1;
                }
                Some("timeframe") => lead.timeframe = Some(self.map_timeframe(child, &path, cx)),
                Some("comments") => customer.comments = self.leaf(child, &path, cx, true),
                Some("id") => self.keep_unmapped(child, &path, cx),
                None if self.is_adf(child) && child.local == "consent" => {
                    customer.consent.push(self.read_consent(child));
                }
                _ => self.keep(child, &path, cx),
            }
        }
        customer.postal_code = customer
            .address
            .as_ref()
            .and_then(|a| a.postal_code.clone());
        lead.customer = customer;
    }

    fn map_contact(
        &mut self,
        el: &Element,
        parent: &str,
        customer: &mut Customer,
        cx: &mut Cx,
    ) -> Names {
        let path = super::join(parent, &el.name);
        self.keep_unknown_attributes(el, parent, cx);
        let mut order = Order::new(&["name", "email", "phone", "address"]);
        let mut names = Names::default();
        for child in el.elements() {
            let name = self.dtd_name(child, cx);
            if let Some(name) = name {
                order.check(self, name, child, el, cx);
            }
            match name {
                Some("name") => self.read_name(child, &path, &mut names, cx),
                Some("email") => {
                    self.keep_unknown_attributes(child, &path, cx);
                    if let Some(email) = self.leaf(child, &path, cx, false) {
                        if flag(child, "preferredcontact") && customer.preferred_contact.is_none() {
                            customer.preferred_contact = Some("email".to_owned());
                        }
                        customer.emails.push(email);
                    }
                }
                Some("phone") => {
                    if let Some(phone) = self.read_phone(child, &path, cx) {
                        if flag(child, "preferredcontact") && customer.preferred_contact.is_none() {
                            customer.preferred_contact = Some("phone".to_owned());
                        }
                        customer.phones.push(phone);
                    }
                }
                Some("address") if customer.address.is_none() => {
                    customer.address = Some(self.map_address(child, &path, cx));
                }
                Some("address") => {
                    cx.warn(
                        WarningCode::DuplicateElement,
                        "used the first <address>; kept the others as extensions",
                        self.line(child),
                    );
                    self.keep_unmapped(child, &path, cx);
                }
                _ => self.keep(child, &path, cx),
            }
        }
        names
    }

    pub(super) fn read_name(&mut self, el: &Element, parent: &str, names: &mut Names, cx: &mut Cx) {
        self.keep_unknown_attributes(el, parent, cx);
        let Some(value) = self.leaf(el, parent, cx, false) else {
            return;
        };
        if el
            .attr("type")
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("business"))
        {
            names.business = true;
        }
        let part = match el.attr("part") {
            None => {
                cx.warn(
                    WarningCode::NameWithoutPart,
                    "read <name> without part as the full name",
                    self.line(el),
                );
                "full".to_owned()
            }
            Some(raw) => {
                let (part, repair) = normalize_enum(raw, "name part", NAME_PART, &[]);
                self.repair(cx, el, repair);
                part.unwrap_or_else(|| "full".to_owned())
            }
        };
        let slot = match part.as_str() {
            "first" => &mut names.first,
            "middle" => &mut names.middle,
            "last" | "surname" => &mut names.last,
            "suffix" => &mut names.suffix,
            _ => &mut names.full,
        };
        match slot {
            Some(existing) => {
                existing.push(' ');
                existing.push_str(&value);
            }
            None => *slot = Some(value),
        }
    }

    fn apply_names(&self, names: Names, el: &Element, customer: &mut Customer, cx: &mut Cx) {
        customer.full_name = names.whole();
        customer.first_name = names.first;
        customer.last_name = names.last;
        if customer.first_name.is_some() || customer.last_name.is_some() || names.business {
            return;
        }
        let Some(full) = &names.full else {
            return;
        };
        let mut words = full.split_whitespace();
        customer.first_name = words.next().map(str::to_owned);
        let rest: Vec<&str> = words.collect();
        customer.last_name = (!rest.is_empty()).then(|| rest.join(" "));
        let message = match (&customer.first_name, &customer.last_name) {
            (Some(first), Some(last)) => format!(
                "only a full name was given; took first name {first:?} and last name {last:?}"
            ),
            (Some(first), None) => {
                format!("only a one-word full name was given; took {first:?} as the first name")
            }
            _ => return,
        };
        cx.warn(WarningCode::NameSplit, message, self.line(el));
    }

    fn read_phone(&mut self, el: &Element, parent: &str, cx: &mut Cx) -> Option<Phone> {
        self.keep_unknown_attributes(el, parent, cx);
        let number = self.leaf(el, parent, cx, false)?;
        let (kind, repair) = normalize_phone_kind(el.attr("type"));
        self.repair(cx, el, repair);
        let preferred_time = el.attr("time").and_then(|raw| {
            let (value, repair) = normalize_enum(raw, "phone time", PHONE_TIME, PHONE_TIME_ALIASES);
            self.repair(cx, el, repair);
            value
        });
        Some(Phone {
            number,
            kind,
            preferred_time,
        })
    }

    fn map_address(&mut self, el: &Element, parent: &str, cx: &mut Cx) -> Address {
        let path = super::join(parent, &el.name);
        self.keep_unknown_attributes(el, parent, cx);
        let mut order = Order::new(&[
            "street",
            "apartment",
            "city",
            "regioncode",
            "postalcode",
            "country",
        ]);
        let mut seen = Vec::new();
        let mut address = Address::default();
        let mut apartment = None;
        for child in el.elements() {
            let name = self.dtd_name(child, cx);
            if let Some(name) = name {
                order.check(self, name, child, el, cx);
            }
            if name.is_some_and(|n| n != "street") && self.is_duplicate(&mut seen, child, &path, cx)
            {
                continue;
            }
            if name.is_some() {
                self.keep_unknown_attributes(child, &path, cx);
            }
            match name {
                Some("street") => address.street.extend(self.leaf(child, &path, cx, false)),
                Some("apartment") => apartment = self.leaf(child, &path, cx, false),
                Some("city") => address.city = self.leaf(child, &path, cx, false),
                Some("regioncode") => address.region = self.leaf(child, &path, cx, false),
                Some("postalcode") => address.postal_code = self.leaf(child, &path, cx, false),
                Some("country") => address.country = self.leaf(child, &path, cx, false),
                _ => self.keep(child, &path, cx),
            }
        }
        address.street.extend(apartment);
        address
    }

    fn map_timeframe(&mut self, el: &Element, parent: &str, cx: &mut Cx) -> Timeframe {
        let path = super::join(parent, &el.name);
        self.keep_unknown_attributes(el, parent, cx);
        let mut order = Order::new(&["description", "earliestdate", "latestdate"]);
        let mut seen = Vec::new();
        let mut timeframe = Timeframe::default();
        for child in el.elements() {
            let name = self.dtd_name(child, cx);
            if let Some(name) = name {
                order.check(self, name, child, el, cx);
                if self.is_duplicate(&mut seen, child, &path, cx) {
                    continue;
                }
            }
            match name {
                Some("description") => timeframe.description = self.leaf(child, &path, cx, true),
                Some(which @ ("earliestdate" | "latestdate")) => {
                    let raw = self.leaf(child, &path, cx, false).unwrap_or_default();
                    let out = normalize_date(&raw, Want::DateOrDateTime, &self.opts.time_zone);
                    for (code, message) in out.repairs {
                        cx.warn(code, message, self.line(child));
                    }
                    if which == "earliestdate" {
                        timeframe.earliest = out.value;
                    } else {
                        timeframe.latest = out.value;
                    }
                }
                _ => self.keep(child, &path, cx),
            }
        }
        timeframe
    }
}

impl Mapper<'_> {
    /// A `<consent>` element (keepwarm's extension, see [`Consent`]), its values raw.
    fn read_consent(&self, el: &Element) -> Consent {
        let attr = |name: &str| {
            el.attr(name)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let text = el.text().split_whitespace().collect::<Vec<_>>().join(" ");
        Consent {
            basis: attr("basis"),
            channels: attr("channels"),
            at: attr("at"),
            dealership: attr("dealership"),
            form_url: attr("formurl"),
            disclosure: attr("disclosure").or((!text.is_empty()).then_some(text)),
            line: self.line(el),
        }
    }
}

/// Whether a `0|1` attribute is set.
fn flag(el: &Element, name: &str) -> bool {
    el.attr(name).map(str::trim) == Some("1")
}
