//! Who may see which lead: the visibility rules of staff roles (issue 13).
//!
//! A manager sees everything. Salespeople and BDC see the leads they own and their team's unowned
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
}

/// Whether `staff` may see (and act on) a lead.
pub fn sees_lead(config: &Config, staff: &Staff, lead: LeadScope<'_>) -> bool {
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

/// Whether `staff` sees every lead (and the dealership-wide resources: reports, the audit,
/// documents, channels).
pub fn sees_everything(staff: &Staff) -> bool {
    staff.role == Role::Manager
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
            assert_eq!(
                sees_lead(&config, staff, LeadScope { owner, segment }),
                sees,
                "{who} on a {segment} lead owned by {owner}"
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
