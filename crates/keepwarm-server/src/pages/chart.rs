//! Server-rendered SVG charts: one horizontal bar per group with its 95% Wilson interval drawn as
//! a whisker, so a rate from 2 leads never looks as sure as one from 200. No script, no library:
//! the numbers are also in the table beside each chart, and the chart carries a text label for
//! screen readers.

use keepwarm_domain::report::Rate;
use maud::{html, Markup};

/// Width of the label column, in the chart's own units.
const LABEL: f64 = 150.0;
/// Width of the bar area (0% to 100%).
const BARS: f64 = 220.0;
/// Width of the value column at the right.
const VALUE: f64 = 90.0;
/// Height of one row.
const ROW: f64 = 28.0;

/// `20% (6–51%)`: a rate with its interval, in whole percent.
pub fn rate_words(r: &Rate) -> String {
    if r.of == 0 {
        return "—".into();
    }
    format!(
        "{} ({}–{}%)",
        percent(r.rate),
        (r.low * 100.0).round(),
        (r.high * 100.0).round()
    )
}

/// `33%`.
pub fn percent(x: f64) -> String {
    format!("{}%", (x * 100.0).round())
}

/// A bar chart of one rate per group: `rows` are `(group label, rate)`; `label` names the chart for
/// people who cannot see it.
pub fn rate_chart(label: &str, rows: &[(String, Rate)]) -> Markup {
    let height = ROW * rows.len() as f64 + 24.0;
    let x = |v: f64| LABEL + v.clamp(0.0, 1.0) * BARS;
    html! {
        svg.chart viewBox={ "0 0 " (LABEL + BARS + VALUE) " " (height) }
            role="img" aria-label=(label) preserveAspectRatio="xMinYMin meet" {
            // The 0, 50 and 100% grid lines.
            @for tick in [0.0, 0.5, 1.0] {
                line.grid x1=(x(tick)) x2=(x(tick)) y1="0" y2=(height - 18.0) {}
                text.axis x=(x(tick)) y=(height - 4.0) text-anchor="middle" { (percent(tick)) }
            }
            @for (i, (group, rate)) in rows.iter().enumerate() {
                @let top = ROW * i as f64;
                @let mid = top + ROW / 2.0;
                text.group x=(LABEL - 8.0) y=(mid + 5.0) text-anchor="end" { (short(group)) }
                @if rate.of > 0 {
                    rect.bar x=(LABEL) y=(top + 6.0) width=(x(rate.rate) - LABEL) height=(ROW - 12.0) {}
                    line.whisker x1=(x(rate.low)) x2=(x(rate.high)) y1=(mid) y2=(mid) {}
                    line.whisker x1=(x(rate.low)) x2=(x(rate.low)) y1=(mid - 6.0) y2=(mid + 6.0) {}
                    line.whisker x1=(x(rate.high)) x2=(x(rate.high)) y1=(mid - 6.0) y2=(mid + 6.0) {}
                }
                text.value x=(LABEL + BARS + 8.0) y=(mid + 5.0) {
                    @if rate.of == 0 { "no leads" } @else { (rate.hits) "/" (rate.of) " · " (percent(rate.rate)) }
                }
            }
        }
    }
}

/// A group's label cut to fit the label column.
fn short(group: &str) -> String {
    const MOST: usize = 18;
    if group.chars().count() <= MOST {
        group.to_owned()
    } else {
        let cut: String = group.chars().take(MOST - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(hits: usize, of: usize) -> Rate {
        let (low, high) = keepwarm_domain::report::wilson(hits, of);
        Rate {
            hits,
            of,
            rate: if of == 0 {
                0.0
            } else {
                hits as f64 / of as f64
            },
            low,
            high,
        }
    }

    #[test]
    fn a_rate_reads_with_its_interval_and_an_empty_one_as_a_dash() {
        assert_eq!(rate_words(&rate(8, 10)), "80% (49–94%)");
        assert_eq!(rate_words(&rate(0, 0)), "—");
        assert_eq!(percent(0.3333), "33%");
    }

    #[test]
    fn each_group_gets_a_bar_and_a_whisker_spanning_its_interval() {
        let svg = rate_chart(
            "Appointment rate",
            &[("a".into(), rate(8, 10)), ("b".into(), rate(0, 0))],
        )
        .into_string();
        assert_eq!(
            svg.matches("<rect").count(),
            1,
            "no bar without leads: {svg}"
        );
        // The whisker of 8/10 runs from 49.02% to 94.33% of the bar area.
        let low = LABEL + 0.4902 * BARS;
        assert!(svg.contains(&format!("x1=\"{low}\"")), "{svg}");
        assert!(svg.contains("8/10 · 80%") && svg.contains("no leads"));
        assert!(svg.contains("aria-label=\"Appointment rate\""));
    }
}
