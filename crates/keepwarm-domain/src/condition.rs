//! Variant conditions: the small expression language of a block variant's `when`, and the message
//! facts it reads.
//!
//! ```text
//! expr  := or
//! or    := and ("or" and)*
//! and   := not ("and" not)*
//! not   := "not" not | atom
//! atom  := "(" expr ")" | FACT | FACT OP VALUE
//! OP    := == != < <= > >=        VALUE := 'text' | number | true | false
//! ```
//!
//! Facts are typed ([`Fact::kind`]): a yes/no fact stands alone (`trade_in`), a text fact is compared
//! with `==`/`!=` (`condition == 'used'`), a number with any comparison (`visit_age_hours < 12`).
//! [`parse_condition`] checks names and types once, at configuration load, so evaluation cannot fail.
//! This module owns the facts' names and meaning; deriving them from a lead is [`MessageFacts::of`].

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::lead::{Condition as VehicleCondition, LeadInput, VehicleInterest};

/// What kind of value a fact holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactKind {
    /// Yes or no.
    Flag,
    /// A word, compared with `==` and `!=`.
    Text,
    /// A whole number.
    Number,
}

macro_rules! facts {
    ($($variant:ident = $name:literal, $kind:ident, $doc:literal;)+) => {
        /// A fact a variant's `when` may test.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Fact {
            $(#[doc = $doc] $variant),+
        }

        impl Fact {
            /// Every fact.
            pub const ALL: &'static [Fact] = &[$(Fact::$variant),+];

            /// The name written in a condition.
            pub fn name(self) -> &'static str {
                match self { $(Fact::$variant => $name),+ }
            }

            /// The kind of value it holds.
            pub fn kind(self) -> FactKind {
                match self { $(Fact::$variant => FactKind::$kind),+ }
            }

            /// The fact with this name.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($name => Some(Fact::$variant),)+ _ => None }
            }
        }
    };
}

facts! {
    Language = "language", Text, "The language the lead is written to (`en`, `es`).";
    VehicleCondition = "condition", Text, "The wanted vehicle's condition: `new`, `used`, or `unknown`.";
    Source = "source", Text, "The lead's source kind (`internet`, `walk_in`, ...).";
    TradeIn = "trade_in", Flag, "The customer named a vehicle to trade in or sell.";
    PaymentKnown = "payment_known", Flag, "The customer gave a monthly target, a down payment or how they will pay.";
    TimeframeKnown = "timeframe_known", Flag, "The customer said when they mean to buy.";
    VehicleKnown = "vehicle_known", Flag, "The customer named the vehicle they want (a make or model).";
    WindowsKnown = "appointment_windows_known", Flag, "The customer said which times suit them for a visit.";
    InStock = "in_stock", Flag, "The wanted vehicle is in the dealership's inventory feed as available.";
    PriceKnown = "price_known", Flag, "The lead's document gives the wanted vehicle's price (the price it was listed at when the customer asked).";
    VisitAgeHours = "visit_age_hours", Number, "Whole hours since the inquiry or showroom visit, when the message is rendered.";
}

/// What a lead has told us, as the conditions see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageFacts {
    /// [`Fact::Language`].
    pub language: String,
    /// [`Fact::VehicleCondition`].
    pub condition: Option<VehicleCondition>,
    /// [`Fact::Source`].
    pub source: crate::lead::SourceKind,
    /// [`Fact::TradeIn`].
    pub trade_in: bool,
    /// [`Fact::PaymentKnown`].
    pub payment_known: bool,
    /// [`Fact::TimeframeKnown`].
    pub timeframe_known: bool,
    /// [`Fact::VehicleKnown`].
    pub vehicle_known: bool,
    /// [`Fact::WindowsKnown`].
    pub windows_known: bool,
    /// [`Fact::InStock`].
    pub in_stock: bool,
    /// [`Fact::PriceKnown`].
    pub price_known: bool,
    /// [`Fact::VisitAgeHours`].
    pub visit_age_hours: i64,
}

impl MessageFacts {
    /// The facts of `lead`, written to in `language`, rendered at `now`; `in_stock` is what the
    /// inventory feed says of its wanted vehicle (the caller looks it up).
    pub fn of(lead: &LeadInput, language: &str, in_stock: bool, now: Timestamp) -> Self {
        let wanted = lead.vehicles.iter().find(|v| {
            !matches!(
                v.interest,
                Some(VehicleInterest::TradeIn | VehicleInterest::Sell)
            )
        });
        let payment = lead.payment.as_ref();
        let received = lead.received_at.unwrap_or(now);
        Self {
            language: language.to_owned(),
            condition: wanted.and_then(|v| v.condition),
            source: lead.source.kind,
            trade_in: lead.vehicles.iter().any(|v| {
                matches!(
                    v.interest,
                    Some(VehicleInterest::TradeIn | VehicleInterest::Sell)
                ) && (v.make.is_some() || v.model.is_some())
            }),
            payment_known: payment.is_some_and(|p| {
                p.monthly_target.is_some()
                    || p.down_payment.is_some()
                    || p.method.as_deref().is_some_and(|m| !m.trim().is_empty())
            }),
            timeframe_known: lead.timeframe.as_ref().is_some_and(|t| {
                [&t.description, &t.earliest, &t.latest]
                    .iter()
                    .any(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()))
            }),
            vehicle_known: wanted.is_some_and(|v| v.make.is_some() || v.model.is_some()),
            windows_known: !lead.appointment_windows.is_empty(),
            in_stock,
            price_known: wanted.and_then(|v| v.price).is_some_and(|p| p > 0.0),
            visit_age_hours: (now.as_second() - received.as_second()).max(0) / 3600,
        }
    }

    fn value(&self, fact: Fact) -> Value {
        match fact {
            Fact::Language => Value::Text(self.language.clone()),
            Fact::VehicleCondition => Value::Text(
                self.condition
                    .map_or("unknown", VehicleCondition::as_str)
                    .to_owned(),
            ),
            Fact::Source => Value::Text(self.source.as_str().to_owned()),
            Fact::TradeIn => Value::Flag(self.trade_in),
            Fact::PaymentKnown => Value::Flag(self.payment_known),
            Fact::TimeframeKnown => Value::Flag(self.timeframe_known),
            Fact::VehicleKnown => Value::Flag(self.vehicle_known),
            Fact::WindowsKnown => Value::Flag(self.windows_known),
            Fact::InStock => Value::Flag(self.in_stock),
            Fact::PriceKnown => Value::Flag(self.price_known),
            Fact::VisitAgeHours => Value::Number(self.visit_age_hours),
        }
    }
}

/// A literal in a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Flag(bool),
    Text(String),
    Number(i64),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A parsed, type-checked condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    source: String,
    expr: Expr,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Expr {
    Fact(Fact),
    Compare(Fact, Op, Value),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

impl Condition {
    /// Whether it holds for `facts`.
    pub fn holds(&self, facts: &MessageFacts) -> bool {
        eval(&self.expr, facts)
    }

    /// Every fact it reads.
    pub fn facts(&self) -> Vec<Fact> {
        let mut out = Vec::new();
        collect(&self.expr, &mut out);
        out.sort();
        out.dedup();
        out
    }

    /// Whether it can only hold when `fact` is positively established: the fact itself, or an
    /// equality on it (`condition == 'used'`), as one of the top-level `and` terms. This is what
    /// makes a claim guarded: `in_stock and trade_in` proves stock, `not in_stock or x` does not.
    pub fn requires(&self, fact: Fact) -> bool {
        top_terms(&self.expr).iter().any(|t| match t {
            Expr::Fact(f) => *f == fact,
            Expr::Compare(f, Op::Eq, v) => *f == fact && *v != Value::Flag(false),
            _ => false,
        })
    }

    /// Whether every top-level `and` term of `guard` is a top-level `and` term of this condition,
    /// so that this condition cannot hold unless `guard` does.
    pub fn requires_all(&self, guard: &Condition) -> bool {
        let mine = top_terms(&self.expr);
        top_terms(&guard.expr).iter().all(|t| mine.contains(t))
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

impl Serialize for Condition {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.source)
    }
}

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_condition(&text).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

fn top_terms(expr: &Expr) -> &[Expr] {
    match expr {
        Expr::And(terms) => terms,
        single => std::slice::from_ref(single),
    }
}

fn collect(expr: &Expr, out: &mut Vec<Fact>) {
    match expr {
        Expr::Fact(f) | Expr::Compare(f, _, _) => out.push(*f),
        Expr::Not(e) => collect(e, out),
        Expr::And(es) | Expr::Or(es) => es.iter().for_each(|e| collect(e, out)),
    }
}

fn eval(expr: &Expr, facts: &MessageFacts) -> bool {
    match expr {
        Expr::Fact(f) => facts.value(*f) == Value::Flag(true),
        Expr::Compare(f, op, want) => {
            let have = facts.value(*f);
            match (have, want) {
                (Value::Number(a), Value::Number(b)) => match op {
                    Op::Eq => a == *b,
                    Op::Ne => a != *b,
                    Op::Lt => a < *b,
                    Op::Le => a <= *b,
                    Op::Gt => a > *b,
                    Op::Ge => a >= *b,
                },
                (have, want) => match op {
                    Op::Eq => have == *want,
                    Op::Ne => have != *want,
                    // Type checking allows ordering on numbers only.
                    _ => false,
                },
            }
        }
        Expr::Not(e) => !eval(e, facts),
        Expr::And(es) => es.iter().all(|e| eval(e, facts)),
        Expr::Or(es) => es.iter().any(|e| eval(e, facts)),
    }
}

/// Longest condition accepted, in bytes.
const MAX_CONDITION: usize = 500;

/// Parses and type-checks a condition. The error names what is wrong in words a dealership's
/// configuration editor can act on.
pub fn parse_condition(text: &str) -> Result<Condition, String> {
    if text.len() > MAX_CONDITION {
        return Err(format!("longer than {MAX_CONDITION} characters"));
    }
    let tokens = tokenize(text)?;
    let mut p = Parser { tokens, at: 0 };
    let expr = p.or(0)?;
    if let Some(t) = p.tokens.get(p.at) {
        return Err(format!("unexpected `{t}`"));
    }
    Ok(Condition {
        source: text.trim().to_owned(),
        expr,
    })
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Number(i64),
    Op(Op),
    Open,
    Close,
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Word(w) => f.write_str(w),
            Token::Text(t) => write!(f, "'{t}'"),
            Token::Number(n) => write!(f, "{n}"),
            Token::Op(op) => f.write_str(match op {
                Op::Eq => "==",
                Op::Ne => "!=",
                Op::Lt => "<",
                Op::Le => "<=",
                Op::Gt => ">",
                Op::Ge => ">=",
            }),
            Token::Open => f.write_str("("),
            Token::Close => f.write_str(")"),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' => {
                chars.next();
                out.push(if c == '(' { Token::Open } else { Token::Close });
            }
            '\'' | '"' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some(q) if q == c => break,
                        Some(ch) => s.push(ch),
                        None => return Err("a quoted value is not closed".into()),
                    }
                }
                out.push(Token::Text(s));
            }
            '=' | '!' | '<' | '>' => {
                chars.next();
                let eq = chars.next_if_eq(&'=').is_some();
                out.push(Token::Op(match (c, eq) {
                    ('=', true) => Op::Eq,
                    ('!', true) => Op::Ne,
                    ('<', false) => Op::Lt,
                    ('<', true) => Op::Le,
                    ('>', false) => Op::Gt,
                    ('>', true) => Op::Ge,
                    _ => {
                        return Err(format!(
                            "`{c}` is not an operator (use ==, !=, <, <=, >, >=)"
                        ))
                    }
                }));
            }
            c if c.is_ascii_digit() || c == '-' => {
                let mut s = String::new();
                while let Some(d) =
                    chars.next_if(|d| d.is_ascii_digit() || (s.is_empty() && *d == '-'))
                {
                    s.push(d);
                }
                out.push(Token::Number(
                    s.parse().map_err(|_| format!("`{s}` is not a number"))?,
                ));
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut s = String::new();
                while let Some(d) = chars.next_if(|d| d.is_ascii_alphanumeric() || *d == '_') {
                    s.push(d);
                }
                out.push(Token::Word(s));
            }
            other => return Err(format!("unexpected `{other}`")),
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

/// Deepest nesting of parentheses and `not`s accepted.
const MAX_DEPTH: usize = 16;

impl Parser {
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w == word)
    }

    fn or(&mut self, depth: usize) -> Result<Expr, String> {
        let mut terms = vec![self.and(depth)?];
        while self.peek_word("or") {
            self.at += 1;
            terms.push(self.and(depth)?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::Or(terms)
        })
    }

    fn and(&mut self, depth: usize) -> Result<Expr, String> {
        let mut terms = vec![self.not(depth)?];
        while self.peek_word("and") {
            self.at += 1;
            terms.push(self.not(depth)?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::And(terms)
        })
    }

    fn not(&mut self, depth: usize) -> Result<Expr, String> {
        if depth > MAX_DEPTH {
            return Err(format!("nested deeper than {MAX_DEPTH}"));
        }
        if self.peek_word("not") {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.not(depth + 1)?)));
        }
        self.atom(depth)
    }

    fn atom(&mut self, depth: usize) -> Result<Expr, String> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        match token {
            Some(Token::Open) => {
                let e = self.or(depth + 1)?;
                match self.tokens.get(self.at) {
                    Some(Token::Close) => {
                        self.at += 1;
                        Ok(e)
                    }
                    _ => Err("a `(` is not closed".into()),
                }
            }
            Some(Token::Word(name)) => self.fact(&name),
            Some(t) => Err(format!("expected a fact name, found `{t}`")),
            None => Err("the condition ends where a fact name was expected".into()),
        }
    }

    fn fact(&mut self, name: &str) -> Result<Expr, String> {
        let fact = Fact::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = Fact::ALL.iter().map(|f| f.name()).collect();
            format!("unknown fact `{name}` (known: {})", known.join(", "))
        })?;
        let Some(Token::Op(op)) = self.tokens.get(self.at).cloned() else {
            return match fact.kind() {
                FactKind::Flag => Ok(Expr::Fact(fact)),
                _ => Err(format!(
                    "`{name}` is not yes/no: compare it (`{name} == ...`)"
                )),
            };
        };
        self.at += 1;
        let value = match self.tokens.get(self.at).cloned() {
            Some(Token::Text(t)) => Value::Text(t),
            Some(Token::Number(n)) => Value::Number(n),
            Some(Token::Word(w)) if w == "true" || w == "false" => Value::Flag(w == "true"),
            Some(t) => return Err(format!("expected a value after `{name}`, found `{t}`")),
            None => return Err(format!("expected a value after `{name}`")),
        };
        self.at += 1;
        let fits = matches!(
            (fact.kind(), &value),
            (FactKind::Flag, Value::Flag(_))
                | (FactKind::Text, Value::Text(_))
                | (FactKind::Number, Value::Number(_))
        );
        if !fits {
            let want = match fact.kind() {
                FactKind::Flag => "true or false",
                FactKind::Text => "a quoted word",
                FactKind::Number => "a number",
            };
            return Err(format!("`{name}` is compared with {want}"));
        }
        if !matches!(op, Op::Eq | Op::Ne) && fact.kind() != FactKind::Number {
            return Err(format!("`{name}` can only be compared with == or !="));
        }
        if let (Fact::VehicleCondition, Value::Text(t)) = (fact, &value) {
            if !["new", "used", "unknown"].contains(&t.as_str()) {
                return Err(format!(
                    "condition is 'new', 'used' or 'unknown', not '{t}'"
                ));
            }
        }
        Ok(Expr::Compare(fact, op, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::parse_lead_json;
    use rstest::rstest;

    fn facts(json: &str, hours: i64) -> MessageFacts {
        let lead = parse_lead_json(json.as_bytes(), "US")
            .unwrap_or_else(|e| panic!("{e:?}"))
            .input;
        let received = lead.received_at.unwrap_or(Timestamp::UNIX_EPOCH);
        let now = Timestamp::from_second(received.as_second() + hours * 3600)
            .unwrap_or_else(|e| panic!("{e}"));
        MessageFacts::of(&lead, "es", false, now)
    }

    const USED_WITH_TRADE: &str = r#"{"source":{"kind":"walk_in"},"received_at":"2026-03-01T15:00:00Z",
        "vehicles":[{"condition":"used","make":"Kia","model":"Telluride"},
                    {"interest":"trade-in","make":"Ford","model":"Focus"}],
        "payment":{"monthly_target":400},"timeframe":{"description":"this weekend"}}"#;

    #[rstest]
    #[case("condition == 'used'", true)]
    #[case("condition == 'new'", false)]
    #[case("condition != 'new' and trade_in", true)]
    #[case("language == 'es'", true)]
    #[case("visit_age_hours < 12", false)]
    #[case("visit_age_hours >= 20", true)]
    #[case("not in_stock", true)]
    #[case("in_stock or (payment_known and timeframe_known)", true)]
    #[case("source == 'walk_in' and not appointment_windows_known", true)]
    #[case("vehicle_known and not not trade_in", true)]
    fn conditions_are_read_against_the_leads_facts(#[case] text: &str, #[case] expected: bool) {
        let c = parse_condition(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(c.holds(&facts(USED_WITH_TRADE, 20)), expected, "{text}");
    }

    #[rstest]
    #[case("colour == 'red'", "unknown fact `colour`")]
    #[case("condition", "not yes/no")]
    #[case("trade_in == 'yes'", "compared with true or false")]
    #[case("visit_age_hours < 'soon'", "compared with a number")]
    #[case("language < 'es'", "only be compared with == or !=")]
    #[case("condition == 'certified'", "'new', 'used' or 'unknown'")]
    #[case("(trade_in", "not closed")]
    #[case("trade_in and", "ends where a fact name")]
    #[case("trade_in trade_in", "unexpected `trade_in`")]
    #[case("language = 'es'", "not an operator")]
    fn bad_conditions_are_refused_with_the_reason(#[case] text: &str, #[case] reason: &str) {
        let err = parse_condition(text).err().unwrap_or_default();
        assert!(err.contains(reason), "{text}: {err}");
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let text = format!("{}trade_in{}", "(".repeat(200), ")".repeat(200));
        assert!(parse_condition(&text).is_err());
        assert!(parse_condition(&"not ".repeat(100)).is_err());
    }

    #[rstest]
    #[case("in_stock", true)]
    #[case("in_stock and condition == 'used'", true)]
    #[case("in_stock == true", true)]
    #[case("in_stock or trade_in", false)]
    #[case("not in_stock", false)]
    #[case("in_stock == false", false)]
    fn a_claim_is_guarded_only_by_a_condition_that_requires_its_fact(
        #[case] text: &str,
        #[case] guarded: bool,
    ) {
        let c = parse_condition(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.requires(Fact::InStock), guarded, "{text}");
    }

    #[test]
    fn facts_come_from_what_the_customer_gave() {
        let f = facts(USED_WITH_TRADE, 3);
        assert!(f.trade_in && f.payment_known && f.timeframe_known && f.vehicle_known);
        assert_eq!(f.visit_age_hours, 3);
        let bare = facts(r#"{"source":{"kind":"internet"}}"#, 0);
        assert!(!bare.trade_in && !bare.payment_known && !bare.vehicle_known);
        assert_eq!(bare.condition, None);
    }
}
