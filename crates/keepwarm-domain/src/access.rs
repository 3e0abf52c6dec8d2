//! Who may see which lead: the visibility rules of staff roles (issue 13).
//!
//! Staff who belong to a dealership see only its leads; staff who belong to none (a group manager, a
//! shared BDC) see every dealership's. Within that, a manager sees everything. Salespeople and BDC see the leads they own and their team's unowned
//! queue: leads of a segment routed to their team whose owner is no longer on the staff (someone
//! who left), waiting for someone to take them. Service advisors see the service segments: those
//! whose business hours are the service department's. Everyone else's leads do not exist for them:
//! the API answers 404, not 403, so an id says nothing about a lead one may not see.
//!
//! Plain rules over the configuration; the HTTP layer applies them to every lead it reads.

use crate::config::Config;
use crate::routing::{Role, Staff};

/// What the rules need to know of a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeadScope<'a> {
    /// Its owner's staff id.
    pub owner: &'a str,
    /// Its segment.
    pub segment: &'a str,
    /// Its dealership.
    pub dealership: &'a str,
}

/// Whether `staff` works for `dealership` (everyone who belongs to no dealership works for all).
pub fn works_for(staff: &Staff, dealership: &str) -> bool {
    staff.dealership.as_deref().is_none_or(|d| d == dealership)
}

/// Whether `staff` may see (and act on) a lead.
pub fn sees_lead(config: &Config, staff: &Staff, lead: LeadScope<'_>) -> bool {
    if !works_for(staff, lead.dealership) {
        return false;
    }
    match staff.role {
        Role::Manager => true,
        Role::Sales | Role::Bdc => {
            lead.owner == staff.id
                || (config.staff_member(lead.owner).is_none()
                    && config.routes.get(lead.segment) == Some(&staff.team))
        }
        Role::Service => {
            lead.owner == staff.id
                || config
                    .segment(lead.segment)
                    .is_some_and(|s| s.hours == "service")
        }
    }
}

/// Whether `staff` sees every lead of their dealership (and the dealership-wide resources:
/// reports, the audit, documents, channels).
pub fn sees_everything(staff: &Staff) -> bool {
    staff.role == Role::Manager
}

/// Whether `viewer` sees the work (tasks, escalations, the waiting queue) of staff member `owner`:
/// their own always; a manager's, that of everyone in the manager's dealership (and of staff who
/// belong to none, and of owners no longer on the staff).
pub fn sees_work_of(config: &Config, viewer: &Staff, owner: &str) -> bool {
    if viewer.id == owner {
        return true;
    }
    if !sees_everything(viewer) {
        return false;
    }
    match (&viewer.dealership, config.staff_member(owner)) {
        (None, _) | (_, None) => true,
        (Some(mine), Some(theirs)) => theirs.dealership.as_ref().is_none_or(|d| d == mine),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{load_config, starter};

    #[test]
    fn each_role_sees_the_leads_the_issue_gives_it() {
        let config = load_config(&starter::files()).expect("starter").config;
        // (staff, owner, segment, sees)
        let cases = [
            ("morgan", "sam", "new_inquiry", true),
            ("morgan", "riley", "service_defection", true),
            ("sam", "sam", "new_inquiry", true),
            ("sam", "alex", "new_inquiry", false),
            ("sam", "gone", "new_inquiry", true),
            ("sam", "gone", "service_defection", false),
            ("jordan", "sam", "aged_internet", false),
            ("jordan", "gone", "aged_internet", true),
            ("riley", "casey", "service_defection", true),
            ("riley", "sam", "new_inquiry", false),
            ("riley", "gone", "new_inquiry", false),
        ];
        for (who, owner, segment, sees) in cases {
            let staff = config.staff_member(who).expect("staff");
            let scope = LeadScope {
                owner,
                segment,
                dealership: "main",
            };
            assert_eq!(
                sees_lead(&config, staff, scope),
                sees,
                "{who} on a {segment} lead owned by {owner}"
            );
        }
    }

    #[test]
    fn staff_of_one_dealership_see_only_its_leads_and_its_peoples_work() {
        let mut config = load_config(&starter::files()).expect("starter").config;
        for s in &mut config.staff {
            s.dealership = match s.id.as_str() {
                "morgan" | "sam" => Some("main".into()),
                "alex" => Some("north".into()),
                _ => None,
            };
        }
        let staff = |id: &str| config.staff_member(id).expect("staff").clone();
        // (viewer, lead's owner, lead's dealership, sees the lead)
        let cases = [
            ("morgan", "sam", "main", true),
            ("morgan", "alex", "north", false),
            ("pat", "alex", "north", true),
            ("sam", "sam", "north", false),
            ("sam", "sam", "main", true),
        ];
        for (viewer, owner, dealership, sees) in cases {
            let scope = LeadScope {
                owner,
                segment: "new_inquiry",
                dealership,
            };
            assert_eq!(
                sees_lead(&config, &staff(viewer), scope),
                sees,
                "{viewer} on {dealership}'s lead owned by {owner}"
            );
        }
        // (viewer, owner of the work, sees it)
        let work = [
            ("morgan", "sam", true),
            ("morgan", "alex", false),
            ("morgan", "jordan", true),
            ("morgan", "gone", true),
            ("pat", "alex", true),
            ("sam", "alex", false),
            ("sam", "sam", true),
        ];
        for (viewer, owner, sees) in work {
            assert_eq!(
                sees_work_of(&config, &staff(viewer), owner),
                sees,
                "{viewer} on {owner}'s work"
            );
        }
    }

    #[test]
    fn only_managers_see_everything() {
        let config = load_config(&starter::files()).expect("starter").config;
        let everything: Vec<&str> = config
            .staff
            .iter()
            .filter(|s| sees_everything(s))
            .map(|s| s.id.as_str())
            .collect();
        assert_eq!(everything, ["morgan", "pat"]);
    }
}
