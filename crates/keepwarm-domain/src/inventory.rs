//! The inventory feed: which vehicles the dealership has, by VIN or stock number, with a status.
//! A message may say a vehicle "is here" only when the lead's vehicle is in the feed as available
//! (the `in_stock` fact of [`crate::condition`]).
//!
//! The feed is a CSV file with a header (`vin`, `stock` or `stock_number`, `status`; other columns
//! are ignored) or a JSON array of `{"vin", "stock", "status"}` objects, as a DMS or website
//! exports it. This module parses it and names the keys a lead is looked up by; storing it is the
//! store's job and reading the file the command line's.

use serde::Deserialize;

use crate::lead::{LeadInput, VehicleInterest};

/// Most vehicles accepted in one feed.
pub const MAX_STOCK_ITEMS: usize = 100_000;

/// One vehicle of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockItem {
    /// Its lookup keys: `vin:…` and `stock:…`, upper-cased (at least one).
    pub keys: Vec<String>,
    /// Whether it can be sold now (status `available`, `in stock`, `on lot`, `in_stock`).
    pub available: bool,
}

/// A feed row that cannot be used, named by its row (the CSV header is row 1; JSON items count
/// from 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("row {row}: {message}")]
pub struct FeedError {
    /// The row.
    pub row: usize,
    /// What is wrong.
    pub message: String,
}

/// The key of a VIN.
pub fn vin_key(vin: &str) -> String {
    format!("vin:{}", vin.trim().to_uppercase())
}

/// The key of a stock number.
pub fn stock_key(stock: &str) -> String {
    format!("stock:{}", stock.trim().to_uppercase())
}

/// The keys the vehicle a lead wants is looked up by in the feed; empty when it has neither VIN
/// nor stock number (nothing can then prove it is in stock).
pub fn lead_stock_keys(lead: &LeadInput) -> Vec<String> {
    let wanted = lead.vehicles.iter().find(|v| {
        !matches!(
            v.interest,
            Some(VehicleInterest::TradeIn | VehicleInterest::Sell)
        )
    });
    let Some(v) = wanted else { return Vec::new() };
    let vin = v
        .vin
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(vin_key);
    let stock = v
        .stock
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(stock_key);
    vin.into_iter().chain(stock).collect()
}

fn is_available(status: &str) -> bool {
    let s = status.trim().to_lowercase().replace(['_', '-'], " ");
    [
        "available",
        "in stock",
        "on lot",
        "instock",
        "active",
        "for sale",
    ]
    .contains(&s.as_str())
}

fn item(
    row: usize,
    vin: Option<&str>,
    stock: Option<&str>,
    status: Option<&str>,
) -> Result<StockItem, FeedError> {
    let keys: Vec<String> = vin
        .filter(|v| !v.trim().is_empty())
        .map(vin_key)
        .into_iter()
        .chain(stock.filter(|s| !s.trim().is_empty()).map(stock_key))
        .collect();
    if keys.is_empty() {
        return Err(FeedError {
            row,
            message: "has neither a VIN nor a stock number".into(),
        });
    }
    if keys.iter().any(|k| k.len() > 64) {
        return Err(FeedError {
            row,
            message: "a VIN or stock number longer than 60 characters".into(),
        });
    }
    let status = status.ok_or_else(|| FeedError {
        row,
        message: "has no status".into(),
    })?;
    Ok(StockItem {
        keys,
        available: is_available(status),
    })
}

/// Parses a feed: JSON when it starts with `[`, else CSV. Every bad row is reported.
pub fn parse_inventory(text: &str) -> Result<Vec<StockItem>, Vec<FeedError>> {
    let items = if text.trim_start().starts_with('[') {
        parse_json(text)
    } else {
        parse_csv(text)
    }?;
    if items.len() > MAX_STOCK_ITEMS {
        return Err(vec![FeedError {
            row: MAX_STOCK_ITEMS + 1,
            message: format!("more than {MAX_STOCK_ITEMS} vehicles"),
        }]);
    }
    Ok(items)
}

#[derive(Deserialize)]
struct JsonItem {
    vin: Option<String>,
    #[serde(alias = "stock_number")]
    stock: Option<String>,
    status: Option<String>,
}

fn parse_json(text: &str) -> Result<Vec<StockItem>, Vec<FeedError>> {
    let rows: Vec<JsonItem> = serde_json::from_str(text).map_err(|e| {
        vec![FeedError {
            row: 0,
            message: format!("not a JSON array of vehicles: {e}"),
        }]
    })?;
    collect(rows.iter().enumerate().map(|(i, r)| {
        item(
            i + 1,
            r.vin.as_deref(),
            r.stock.as_deref(),
            r.status.as_deref(),
        )
    }))
}

fn parse_csv(text: &str) -> Result<Vec<StockItem>, Vec<FeedError>> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> = lines
        .next()
        .map(split_csv)
        .unwrap_or_default()
        .iter()
        .map(|h| h.trim().to_lowercase().replace([' ', '_', '#', '.'], ""))
        .collect();
    let column = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    let vin = column(&["vin"]);
    let stock = column(&["stock", "stocknumber", "stockno", "stocknum"]);
    let Some(status) = column(&["status", "stockstatus", "vehiclestatus"]) else {
        return Err(vec![FeedError {
            row: 1,
            message: "the header has no `status` column".into(),
        }]);
    };
    if vin.is_none() && stock.is_none() {
        return Err(vec![FeedError {
            row: 1,
            message: "the header has neither a `vin` nor a `stock` column".into(),
        }]);
    }
    collect(lines.enumerate().map(|(i, line)| {
        let cells = split_csv(line);
        let cell = |c: Option<usize>| c.and_then(|c| cells.get(c)).map(String::as_str);
        item(i + 2, cell(vin), cell(stock), cell(Some(status)))
    }))
}

fn collect(
    rows: impl Iterator<Item = Result<StockItem, FeedError>>,
) -> Result<Vec<StockItem>, Vec<FeedError>> {
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for r in rows {
        match r {
            Ok(i) => items.push(i),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(items)
    } else {
        Err(errors)
    }
}

/// One CSV line's cells; a quoted cell may hold commas and doubled quotes.
fn split_csv(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            (c, _) => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_feed_is_read_by_its_header() {
        let feed = "Stock #,Year,Make,VIN,Status\nA123,2025,Kia,5XYP5DGC0SG000001,Available\n\"B,9\",2024,Kia,,Sold\n";
        let items = parse_inventory(feed).unwrap_or_default();
        assert_eq!(
            items,
            [
                StockItem {
                    keys: vec!["vin:5XYP5DGC0SG000001".into(), "stock:A123".into()],
                    available: true
                },
                StockItem {
                    keys: vec!["stock:B,9".into()],
                    available: false
                },
            ]
        );
    }

    #[test]
    fn a_json_feed_is_read_and_bad_rows_are_named() {
        let items = parse_inventory(r#"[{"vin":"1ftfw1e80rfa00001","status":"in_stock"}]"#)
            .unwrap_or_default();
        assert!(items[0].available && items[0].keys == ["vin:1FTFW1E80RFA00001"]);
        let errors = parse_inventory(r#"[{"status":"available"},{"stock":"9"}]"#)
            .err()
            .unwrap_or_default();
        assert_eq!(
            errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "row 1: has neither a VIN nor a stock number",
                "row 2: has no status"
            ]
        );
        assert!(parse_inventory("vin,price\nX,1").is_err());
    }

    #[test]
    fn a_lead_is_looked_up_by_its_wanted_vehicle_only() {
        let lead: LeadInput = serde_json::from_str(
            r#"{"source":{"kind":"internet"},"vehicles":[
                {"interest":"trade-in","vin":"TRADE"},{"vin":" abc ","stock":"s1"}]}"#,
        )
        .unwrap_or_default();
        assert_eq!(lead_stock_keys(&lead), ["vin:ABC", "stock:S1"]);
        assert!(lead_stock_keys(&LeadInput::default()).is_empty());
    }
}
