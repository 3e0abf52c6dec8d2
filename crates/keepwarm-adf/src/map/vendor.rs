//! `<vendor>` → the dealership's name and the person the lead is for.
//!
//! Owns `<vendorname>` and the vendor's `<contact>`: its name (parts joined, never split or
//! guessed) and first e-mail address, which may name the salesperson who owns the lead. The
//! vendor's id, url and the contact's phones and address are kept as extensions; this module
//! never decides who the person is (the engine matches them against the staff).

use super::{Cx, Mapper, Order};
use crate::model::{AdfLead, VendorContact};
use crate::tree::Element;

use super::customer::Names;

impl Mapper<'_> {
    pub(super) fn map_vendor(
        &mut self,
        el: &Element,
        parent: &str,
        lead: &mut AdfLead,
        cx: &mut Cx,
    ) {
        let path = super::join(parent, &el.name);
        self.keep_unknown_attributes(el, parent, cx);
        let mut order = Order::new(&["id", "vendorname", "url", "contact"]);
        let mut seen = Vec::new();
        for child in el.elements() {
            let name = self.dtd_name(child, cx);
            if let Some(name) = name {
                order.check(self, name, child, el, cx);
            }
            match name {
                Some("vendorname") if !self.is_duplicate(&mut seen, child, &path, cx) => {
                    lead.source.vendor = self.leaf(child, &path, cx, false);
                }
                Some("vendorname") => {}
                Some("contact") if lead.source.vendor_contact.is_none() => {
                    let contact = self.map_vendor_contact(child, &path, cx);
                    lead.source.vendor_contact =
                        (contact != VendorContact::default()).then_some(contact);
                }
                Some("id" | "url" | "contact") => self.keep_unmapped(child, &path, cx),
                _ => self.keep(child, &path, cx),
            }
        }
    }

    fn map_vendor_contact(&mut self, el: &Element, parent: &str, cx: &mut Cx) -> VendorContact {
        let path = super::join(parent, &el.name);
        self.keep_unknown_attributes(el, parent, cx);
        let mut order = Order::new(&["name", "email", "phone", "address"]);
        let mut names = Names::default();
        let mut contact = VendorContact::default();
        for child in el.elements() {
            let name = self.dtd_name(child, cx);
            if let Some(name) = name {
                order.check(self, name, child, el, cx);
            }
            match name {
                Some("name") => self.read_name(child, &path, &mut names, cx),
                Some("email") if contact.email.is_none() => {
                    self.keep_unknown_attributes(child, &path, cx);
                    contact.email = self.leaf(child, &path, cx, false);
                }
                Some("email" | "phone" | "address") => self.keep_unmapped(child, &path, cx),
                _ => self.keep(child, &path, cx),
            }
        }
        contact.name = names.whole();
        contact
    }
}
