//! `<vehicle>` → [`Vehicle`].
//!
//! Owns the vehicle fields: interest and new/used status (case and alias
//! repair), year, make, model, trim, VIN, stock, the first price, odometer
//! and comments. Other DTD children (colours, options, finance, …) are kept
//! as unmapped extensions.

use super::{Cx, Mapper, Order};
use crate::model::Vehicle;
use crate::tree::Element;
use crate::values::{
    normalize_enum, parse_odometer, parse_price, parse_year, CONDITION, CONDITION_ALIASES,
    INTEREST, INTEREST_ALIASES,
};

/// DTD order of `<vehicle>` children.
const ORDER: &[&str] = &[
    "id",
    "year",
    "make",
    "model",
    "vin",
    "stock",
    "trim",
    "doors",
    "bodystyle",
    "transmission",
    "odometer",
    "condition",
    "colorcombination",
    "imagetag",
    "price",
    "pricecomments",
    "option",
    "finance",
    "comments",
];

impl Mapper<'_> {
    pub(super) fn map_vehicle(&mut self, el: &Element, parent: &str, cx: &mut Cx) -> Vehicle {
        let path = super::join(parent, &el.name);
        self.keep_unknown_attributes(el, parent, cx);
        let mut v = Vehicle::default();
        if let Some(raw) = el.attr("interest") {
            let (value, repair) =
                normalize_enum(raw, "vehicle interest", INTEREST, INTEREST_ALIASES);
            self.repair(cx, el, repair);
            v.interest = value;
        }
        if let Some(raw) = el.attr("status") {
            let (value, repair) =
                normalize_enum(raw, "vehicle status", CONDITION, CONDITION_ALIASES);
            self.repair(cx, el, repair);
            v.condition = value;
        }
        let mut order = Order::new(ORDER);
        let mut seen = Vec::new();
        let mut seen_price = false;
        for child in el.elements() {
            let name = self.dtd_name(child, cx);
            if let Some(name) = name {
                order.check(self, name, child, el, cx);
            }
            let single = matches!(
                name,
                Some(
                    "year" | "make" | "model" | "vin" | "stock" | "trim" | "odometer" | "comments"
                )
            );
            if single && self.is_duplicate(&mut seen, child, &path, cx) {
                continue;
            }
            if single && name != Some("odometer") {
                self.keep_unknown_attributes(child, &path, cx);
            }
            match name {
                Some("year") => {
                    let raw = self.leaf(child, &path, cx, false).unwrap_or_default();
                    let (value, repair) = parse_year(&raw);
                    self.repair(cx, child, repair);
                    v.year = value;
                }
                Some("make") => v.make = self.leaf(child, &path, cx, false),
                Some("model") => v.model = self.leaf(child, &path, cx, false),
                Some("trim") => v.trim = self.leaf(child, &path, cx, false),
                Some("stock") => v.stock = self.leaf(child, &path, cx, false),
                Some("vin") => v.vin = self.leaf(child, &path, cx, false).map(|s| s.to_uppercase()),
                Some("odometer") => {
                    self.keep_unknown_attributes(child, &path, cx);
                    let raw = self.leaf(child, &path, cx, false).unwrap_or_default();
                    let (value, repair) = parse_odometer(&raw);
                    self.repair(cx, child, repair);
                    v.odometer = value;
                }
                // The DTD allows several prices; the first is the lead's.
                Some("price") if seen_price => self.keep_unmapped(child, &path, cx),
                Some("price") => {
                    seen_price = true;
                    self.keep_unknown_attributes(child, &path, cx);
                    let raw = self.leaf(child, &path, cx, false).unwrap_or_default();
                    let (value, repair) = parse_price(&raw);
                    self.repair(cx, child, repair);
                    v.price = value;
                }
                Some("comments") => v.comments = self.leaf(child, &path, cx, true),
                Some(
                    "id" | "doors" | "bodystyle" | "transmission" | "condition"
                    | "colorcombination" | "imagetag" | "pricecomments" | "option" | "finance",
                ) => self.keep_unmapped(child, &path, cx),
                _ => self.keep(child, &path, cx),
            }
        }
        v
    }
}
