//! The funnel report: per group, how many leads reached each stage, the rates between stages (with
//! 95% Wilson intervals), speed to lead, and how fast hot replies were acknowledged.
//!
//! Pure aggregation over [`ReportLead`] facts the store reads from the timeline, so the numbers
//! reconcile with the events exactly. The funnel is cumulative: a lead counts at every stage up to the
//! furthest one it reached (a sale recorded straight after contact also counts as an appointment and a
//! show); `lost` is counted separately.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::lead::Stage;

/// One lead's facts for the report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportLead {
    /// The dealership.
    pub dealership: String,
    /// The segment it was first enrolled in (a lead reopened later into another segment still
    /// counts in this one).
    pub segment: String,
    /// `cadence@version` of the lead's first enrollment.
    pub cadence: String,
    /// Source kind and provider (`internet/Cars.com`).
    pub source: String,
    /// Owner.
    pub owner: String,
    /// When the inquiry came in (the provider's or a CSV's date: what the report's period reads).
    pub received_at: Timestamp,
    /// When keepwarm stored it: what speed to lead counts from (an imported lead's inquiry date
    /// can be months back).
    pub stored_at: Timestamp,
    /// The furthest stage reached (never `lost`).
    pub furthest: Stage,
    /// Whether the lead was lost.
    pub lost: bool,
    /// The first automated touch sent.
    pub first_touch_at: Option<Timestamp>,
    /// The first contact by a person (an acknowledged escalation or a stage a person recorded).
    pub first_human_at: Option<Timestamp>,
    /// Escalations: `(created, acknowledge by, acknowledged)`.
    pub escalations: Vec<(Timestamp, Timestamp, Option<Timestamp>)>,
}

/// What to group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// Segment.
    Segment,
    /// Cadence version.
    Cadence,
    /// Source.
    Source,
    /// Owner.
    Owner,
}

impl std::str::FromStr for GroupBy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "segment" => Ok(GroupBy::Segment),
            "cadence" => Ok(GroupBy::Cadence),
            "source" => Ok(GroupBy::Source),
            "owner" => Ok(GroupBy::Owner),
            other => Err(format!(
                "unknown grouping `{other}` (expected segment, cadence, source or owner)"
            )),
        }
    }
}

/// A rate between two stages, with its 95% Wilson interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Rate {
    /// Leads that reached the later stage.
    pub hits: usize,
    /// Leads that reached the earlier stage.
    pub of: usize,
    /// `hits / of`, or 0 when `of` is 0.
    pub rate: f64,
    /// Lower bound of the 95% Wilson interval.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

impl Rate {
    fn new(hits: usize, of: usize) -> Self {
        let (low, high) = wilson(hits, of);
        Self {
            hits,
            of,
            rate: if of == 0 {
                0.0
            } else {
                round4(hits as f64 / of as f64)
            },
            low,
            high,
        }
    }
}

/// Median and 90th percentile, in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Speed {
    /// Leads measured.
    pub leads: usize,
    /// Median minutes.
    pub median_minutes: Option<f64>,
    /// 90th percentile minutes.
    pub p90_minutes: Option<f64>,
}

/// One group's row.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FunnelRow {
    /// The group's value.
    pub group: String,
    /// Leads received.
    pub leads: usize,
    /// Reached contacted or beyond.
    pub contacted: usize,
    /// Reached appointment set or beyond.
    pub appointment_set: usize,
    /// Reached showed or beyond.
    pub showed: usize,
    /// Sold.
    pub sold: usize,
    /// Lost.
    pub lost: usize,
    /// contacted / leads.
    pub contact_rate: Rate,
    /// appointment set / contacted.
    pub appointment_rate: Rate,
    /// showed / appointment set.
    pub show_rate: Rate,
    /// sold / showed.
    pub close_rate: Rate,
    /// Stored by keepwarm to first automated touch.
    pub speed_to_first_touch: Speed,
    /// Stored by keepwarm to first human contact.
    pub speed_to_human: Speed,
    /// Hot replies escalated.
    pub escalations: usize,
    /// Acknowledged by their deadline.
    pub acknowledged_within_sla: usize,
    /// `acknowledged_within_sla / escalations`.
    pub sla_share: Rate,
    /// Median minutes from escalation to acknowledgement (acknowledged ones).
    pub median_minutes_to_acknowledge: Option<f64>,
}

/// A spread of durations: how many, the median and the 90th percentile by nearest rank (the
/// `ceil(n × p)`-th smallest), exact, before any rounding to minutes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spread {
    /// Durations measured.
    pub count: usize,
    /// The median (`None` when nothing was measured).
    pub median: Option<SignedDuration>,
    /// The 90th percentile.
    pub p90: Option<SignedDuration>,
}

impl Spread {
    /// The spread of `values` (in any order).
    pub fn of(mut values: Vec<SignedDuration>) -> Self {
        values.sort_unstable();
        let at = |rank: usize| values.get(rank.max(1) - 1).copied();
        Self {
            count: values.len(),
            median: at(median_rank(values.len())),
            p90: at(p90_rank(values.len())),
        }
    }
}

/// The median's nearest rank among `n` values, `ceil(n / 2)` (1-based; 0 for none), in integers so
/// that a database computes the same rank.
pub fn median_rank(n: usize) -> usize {
    n.div_ceil(2)
}

/// The 90th percentile's nearest rank among `n` values, `ceil(9n / 10)`.
pub fn p90_rank(n: usize) -> usize {
    (9 * n).div_ceil(10)
}

/// One group's counts before any rate: what [`tally`] folds from lead facts and what the store
/// aggregates in SQL (`report_tallies`), the same numbers either way; [`FunnelRow::from`] turns it
/// into the row people read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupTally {
    /// The group's value (`all` for the row of every lead).
    pub group: String,
    /// Leads received.
    pub leads: usize,
    /// Reached contacted or beyond.
    pub contacted: usize,
    /// Reached appointment set or beyond.
    pub appointment_set: usize,
    /// Reached showed or beyond.
    pub showed: usize,
    /// Sold.
    pub sold: usize,
    /// Lost.
    pub lost: usize,
    /// Stored by keepwarm to first automated touch.
    pub to_first_touch: Spread,
    /// Stored by keepwarm to first human contact.
    pub to_human: Spread,
    /// Hot replies escalated.
    pub escalations: usize,
    /// Acknowledged by their deadline.
    pub acknowledged_within_sla: usize,
    /// Escalation to acknowledgement, of the acknowledged ones.
    pub to_acknowledge: Spread,
}

/// The funnel, one row per group (sorted by group), plus an `all` row last.
pub fn funnel(leads: &[ReportLead], by: GroupBy) -> Vec<FunnelRow> {
    tally(leads, by).into_iter().map(FunnelRow::from).collect()
}

/// The funnel's counts, one per group (sorted by group), plus an `all` tally last: the fold over
/// every lead's facts that the store's SQL aggregate must agree with.
pub fn tally(leads: &[ReportLead], by: GroupBy) -> Vec<GroupTally> {
    let mut groups: BTreeMap<String, Vec<&ReportLead>> = BTreeMap::new();
    for l in leads {
        let key = match by {
            GroupBy::Segment => l.segment.clone(),
            GroupBy::Cadence => l.cadence.clone(),
            GroupBy::Source => l.source.clone(),
            GroupBy::Owner => l.owner.clone(),
        };
        groups.entry(key).or_default().push(l);
    }
    let mut tallies: Vec<GroupTally> = groups
        .into_iter()
        .map(|(g, ls)| tally_group(g, &ls))
        .collect();
    tallies.push(tally_group("all".into(), &leads.iter().collect::<Vec<_>>()));
    tallies
}

fn tally_group(group: String, leads: &[&ReportLead]) -> GroupTally {
    let reached = |s: Stage| leads.iter().filter(|l| l.furthest >= s).count();
    let since = |from: Timestamp, to: Timestamp| to.duration_since(from);
    let escalations: Vec<&(Timestamp, Timestamp, Option<Timestamp>)> =
        leads.iter().flat_map(|l| l.escalations.iter()).collect();
    GroupTally {
        group,
        leads: leads.len(),
        contacted: reached(Stage::Contacted),
        appointment_set: reached(Stage::AppointmentSet),
        showed: reached(Stage::Showed),
        sold: reached(Stage::Sold),
        lost: leads.iter().filter(|l| l.lost).count(),
        to_first_touch: Spread::of(
            leads
                .iter()
                .filter_map(|l| l.first_touch_at.map(|t| since(l.stored_at, t)))
                .collect(),
        ),
        to_human: Spread::of(
            leads
                .iter()
                .filter_map(|l| l.first_human_at.map(|t| since(l.stored_at, t)))
                .collect(),
        ),
        escalations: escalations.len(),
        acknowledged_within_sla: escalations
            .iter()
            .filter(|(_, due, ack)| ack.is_some_and(|a| a <= *due))
            .count(),
        to_acknowledge: Spread::of(
            escalations
                .iter()
                .filter_map(|(c, _, a)| a.map(|a| since(*c, a)))
                .collect(),
        ),
    }
}

impl From<GroupTally> for FunnelRow {
    fn from(t: GroupTally) -> Self {
        FunnelRow {
            contact_rate: Rate::new(t.contacted, t.leads),
            appointment_rate: Rate::new(t.appointment_set, t.contacted),
            show_rate: Rate::new(t.showed, t.appointment_set),
            close_rate: Rate::new(t.sold, t.showed),
            speed_to_first_touch: speed(&t.to_first_touch),
            speed_to_human: speed(&t.to_human),
            sla_share: Rate::new(t.acknowledged_within_sla, t.escalations),
            median_minutes_to_acknowledge: t.to_acknowledge.median.map(minutes),
            group: t.group,
            leads: t.leads,
            contacted: t.contacted,
            appointment_set: t.appointment_set,
            showed: t.showed,
            sold: t.sold,
            lost: t.lost,
            escalations: t.escalations,
            acknowledged_within_sla: t.acknowledged_within_sla,
        }
    }
}

fn speed(s: &Spread) -> Speed {
    Speed {
        leads: s.count,
        median_minutes: s.median.map(minutes),
        p90_minutes: s.p90.map(minutes),
    }
}

/// A duration in minutes, rounded to 0.01.
fn minutes(d: SignedDuration) -> f64 {
    (d.as_secs_f64() / 60.0 * 100.0).round() / 100.0
}

/// The 95% Wilson score interval of `hits` out of `n` (`(0, 0)` when `n` is 0).
pub fn wilson(hits: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 0.0);
    }
    let z = 1.959_963_984_540_054_f64;
    let n = n as f64;
    let p = hits as f64 / n;
    let denom = 1.0 + z * z / n;
    let centre = p + z * z / (2.0 * n);
    let margin = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    (
        round4(((centre - margin) / denom).max(0.0)),
        round4(((centre + margin) / denom).min(1.0)),
    )
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::ToSpan;

    fn t(minutes: i64) -> Timestamp {
        "2026-12-01T15:00:00Z".parse::<Timestamp>().unwrap() + minutes.minutes()
    }

    fn lead(segment: &str, furthest: Stage, lost: bool, touch: Option<i64>) -> ReportLead {
        ReportLead {
            dealership: "main".into(),
            segment: segment.into(),
            cadence: "new_inquiry@abc".into(),
            source: "internet/Cars.com".into(),
            owner: "sam".into(),
            received_at: t(-60 * 24 * 300),
            stored_at: t(0),
            furthest,
            lost,
            first_touch_at: touch.map(t),
            first_human_at: None,
            escalations: vec![],
        }
    }

    #[test]
    fn the_nearest_ranks_in_integers_are_the_ceilings_of_n_times_p() {
        // What the percentiles were before the store counted in SQL: `ceil(n × p)` in floats.
        for n in 1..=200_000_usize {
            assert_eq!(
                median_rank(n),
                (n as f64 * 0.5).ceil() as usize,
                "median of {n}"
            );
            assert_eq!(p90_rank(n), (n as f64 * 0.9).ceil() as usize, "p90 of {n}");
        }
        let spread = Spread::of((1..=10).rev().map(SignedDuration::from_mins).collect());
        assert_eq!(
            (spread.count, spread.median, spread.p90),
            (
                10,
                Some(SignedDuration::from_mins(5)),
                Some(SignedDuration::from_mins(9))
            )
        );
        assert_eq!(Spread::of(vec![]), Spread::default());
    }

    #[test]
    fn the_wilson_interval_matches_published_values() {
        // 8 of 10: 0.4902–0.9433 (Wilson 1927; also Newcombe 1998 table).
        assert_eq!(wilson(8, 10), (0.4902, 0.9433));
        assert_eq!(wilson(0, 10).0, 0.0);
        assert_eq!(wilson(0, 0), (0.0, 0.0));
    }

    #[test]
    fn the_funnel_is_cumulative_and_counts_lost_apart() {
        let leads = vec![
            lead("a", Stage::New, false, Some(1)),
            lead("a", Stage::Contacted, true, Some(3)),
            lead("a", Stage::Sold, false, Some(2)),
            lead("b", Stage::AppointmentSet, false, None),
        ];
        let rows = funnel(&leads, GroupBy::Segment);
        let a = &rows[0];
        assert_eq!(
            (
                a.leads,
                a.contacted,
                a.appointment_set,
                a.showed,
                a.sold,
                a.lost
            ),
            (3, 2, 1, 1, 1, 1)
        );
        assert_eq!(a.contact_rate.rate, 0.6667);
        assert_eq!(a.speed_to_first_touch.median_minutes, Some(2.0));
        assert_eq!(a.speed_to_first_touch.p90_minutes, Some(3.0));
        let all = rows.last().unwrap();
        assert_eq!(
            (all.group.as_str(), all.leads, all.appointment_set),
            ("all", 4, 2)
        );
    }
}
