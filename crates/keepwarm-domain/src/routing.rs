//! Ownership: who owns a lead. Every lead has exactly one owner, chosen by round robin within the team
//! its segment routes to, skipping staff who are off shift.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::contact::{EmailAddress, PhoneNumber};
use crate::hours::WeeklyHours;
use crate::lead::word_enum;
use crate::window::ZoneHours;

word_enum! {
    /// What a staff member does.
    Role {
        /// Salesperson on the floor.
        Sales = "sales",
        /// Business development center: phones and internet leads.
        Bdc = "bdc",
        /// Service advisor.
        Service = "service",
        /// Manager: receives escalations, not round-robin leads.
        Manager = "manager",
    }
}

/// A staff member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    /// Stable id used in configuration and the API.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Mobile number for alerts and call tasks.
    pub phone: Option<PhoneNumber>,
    /// E-mail address.
    pub email: Option<EmailAddress>,
    /// The team they work in.
    pub team: String,
    /// Working hours in the dealership's zone; always on shift when absent.
    pub shift: Option<WeeklyHours>,
    /// The dealership they work for; `None` for someone who works for every dealership of the
    /// group (a group manager, a shared BDC).
    #[serde(default)]
    pub dealership: Option<String>,
}

impl Staff {
    /// The first word of the name.
    pub fn first_name(&self) -> &str {
        self.name.split_whitespace().next().unwrap_or(&self.name)
    }

    /// Whether they are working at `now` (shift read in `zone`).
    pub fn on_shift(&self, now: Timestamp, zone: &TimeZone) -> bool {
        match &self.shift {
            None => true,
            Some(hours) => ZoneHours::new(zone.clone(), *hours).is_open(now),
        }
    }
}

/// A team leads are routed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    /// Its name.
    pub name: String,
    /// The manager who receives its escalations.
    pub manager: Option<String>,
}

/// Why an owner was chosen, for the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerChoice {
    /// The staff id.
    pub owner: String,
    /// How they were chosen.
    pub reason: String,
}

/// Round robin: the next member after `last` (in team order) who is on shift. If nobody is on shift
/// the lead still gets an owner — the next member in turn — because a lead is never left unowned.
/// `members` are `(staff id, on shift)` in team order; returns `None` only for an empty team.
pub fn choose_round_robin(members: &[(String, bool)], last: Option<&str>) -> Option<OwnerChoice> {
    if members.is_empty() {
        return None;
    }
    let start = last
        .and_then(|l| members.iter().position(|(id, _)| id == l))
        .map_or(0, |i| i + 1);
    let in_turn = (0..members.len()).map(|k| &members[(start + k) % members.len()]);
    let on_shift = in_turn.clone().find(|(_, on)| *on);
    Some(match on_shift {
        Some((id, _)) => OwnerChoice {
            owner: id.clone(),
            reason: "round robin".into(),
        },
        None => {
            let (id, _) = &members[start % members.len()];
            OwnerChoice {
                owner: id.clone(),
                reason: "round robin (nobody on shift)".into(),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(on: &[bool]) -> Vec<(String, bool)> {
        on.iter()
            .enumerate()
            .map(|(i, o)| (format!("s{i}"), *o))
            .collect()
    }

    #[test]
    fn round_robin_takes_turns() {
        let t = team(&[true, true, true]);
        let mut last: Option<String> = None;
        let mut order = Vec::new();
        for _ in 0..4 {
            let c = choose_round_robin(&t, last.as_deref()).unwrap();
            order.push(c.owner.clone());
            last = Some(c.owner);
        }
        assert_eq!(order, ["s0", "s1", "s2", "s0"]);
    }

    #[test]
    fn staff_off_shift_are_skipped() {
        let t = team(&[true, false, true]);
        let c = choose_round_robin(&t, Some("s0")).unwrap();
        assert_eq!(c.owner, "s2");
    }

    #[test]
    fn nobody_on_shift_still_gives_an_owner() {
        let t = team(&[false, false]);
        let c = choose_round_robin(&t, Some("s0")).unwrap();
        assert_eq!(c.owner, "s1");
        assert!(c.reason.contains("nobody on shift"));
    }

    #[test]
    fn an_unknown_last_owner_starts_from_the_top() {
        let t = team(&[true, true]);
        assert_eq!(choose_round_robin(&t, Some("gone")).unwrap().owner, "s0");
        assert!(choose_round_robin(&[], None).is_none());
    }
}
