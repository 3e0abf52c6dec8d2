//! Who is calling: the shared admin/integration token, or a staff member's personal token.
//!
//! The bearer middleware (`require_token`) puts a [`Caller`] on every `/api/v1` request.
//! A staff token acts as its holder: a human action is attributed to them, and a `by` naming anyone
//! else is refused (403), so no one can act as someone else. The shared `KEEPWARM_API_TOKEN` is the
//! admin and integrations' token: it sees everything and must name `by` for a human action. A
//! staff member sees only the leads their role gives them ([`keepwarm_domain::access`]); any other
//! lead answers 404, exactly like a lead that does not exist.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::collections::HashSet;

use keepwarm_domain::access::{sees_everything, sees_lead, sees_work_of, works_for, LeadScope};
use keepwarm_domain::routing::Staff;
use keepwarm_domain::LeadId;
use keepwarm_store::LeadRow;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The caller of an `/api/v1` request.
#[derive(Debug, Clone)]
pub enum Caller {
    /// The shared API token: administration and integrations.
    Admin,
    /// A staff member's personal token.
    Staff(Box<Staff>),
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> ApiResult<Self> {
        // The middleware always sets it on authenticated routes; without it, nobody is known.
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or(ApiError::Unauthorized)
    }
}

impl Caller {
    /// The staff member behind a personal token.
    pub fn staff(&self) -> Option<&Staff> {
        match self {
            Caller::Admin => None,
            Caller::Staff(s) => Some(s),
        }
    }

    /// Who a human action is attributed to: a staff token's holder (`by` may only repeat it), or
    /// with the shared token the staff member `by` names, which it must.
    pub fn person(&self, state: &AppState, by: Option<&str>) -> ApiResult<String> {
        match self.attribution(state, by)? {
            Some(id) => Ok(id),
            None => Err(ApiError::field(
                "by",
                "required with the shared API token: name the staff member who does this",
            )),
        }
    }

    /// Like [`Caller::person`], but the shared token may leave `by` out (an integration acts as
    /// itself): `None` then.
    pub fn attribution(&self, state: &AppState, by: Option<&str>) -> ApiResult<Option<String>> {
        let by = by.map(str::trim);
        match (self, by) {
            (Caller::Staff(me), None) => Ok(Some(me.id.clone())),
            (Caller::Staff(me), Some(by)) if by == me.id => Ok(Some(me.id.clone())),
            (Caller::Staff(me), Some(by)) => Err(ApiError::NotAllowed(format!(
                "this token acts as `{}`; it cannot act as `{by}`",
                me.id
            ))),
            (Caller::Admin, None) => Ok(None),
            (Caller::Admin, Some(by)) if state.engine.config().staff_member(by).is_some() => {
                Ok(Some(by.to_owned()))
            }
            (Caller::Admin, Some(by)) => Err(ApiError::field(
                "by",
                format!("unknown staff member `{by}`"),
            )),
        }
    }

    /// Whether the caller sees the work (tasks, escalations, waiting conversations) of staff
    /// member `owner`; see [`keepwarm_domain::access::sees_work_of`].
    pub fn sees_work_of(&self, state: &AppState, owner: &str) -> bool {
        match self {
            Caller::Admin => true,
            Caller::Staff(me) => sees_work_of(state.engine.config(), me, owner),
        }
    }

    /// Whether the caller may see the lead of this scope (`lead.scope()` of a stored lead or of its
    /// view).
    pub fn sees(&self, state: &AppState, lead: LeadScope<'_>) -> bool {
        match self {
            Caller::Admin => true,
            Caller::Staff(me) => sees_lead(state.engine.config(), me, lead),
        }
    }

    /// Whether the caller sees every lead (the shared token, a manager).
    pub fn sees_everything(&self) -> bool {
        self.staff().is_none_or(sees_everything)
    }

    /// The dealership a dealership-wide figure is read for: the one asked for, else the caller's
    /// own (a staff member who belongs to one dealership sees no other: asking for another answers
    /// 404, as for one that does not exist); `None` is the configuration's default.
    pub fn dealership(&self, asked: Option<&str>) -> ApiResult<Option<String>> {
        let own = self.staff().and_then(|s| s.dealership.as_deref());
        match (own, asked) {
            (Some(own), None) => Ok(Some(own.to_owned())),
            (Some(own), Some(asked)) if asked != own => {
                Err(ApiError::NotFound(format!("dealership {asked}")))
            }
            (_, asked) => Ok(asked.map(str::to_owned)),
        }
    }

    /// Whether the caller works for every dealership: the shared token, or staff who belong to
    /// none (a group manager).
    pub fn works_for_all(&self) -> bool {
        self.staff().is_none_or(|s| s.dealership.is_none())
    }

    /// Refuses callers who do not work for every dealership (403): what is not one dealership's
    /// (the sandbox's clock, posting and replaying raw lead documents).
    pub fn require_all_dealerships(&self) -> ApiResult<()> {
        if self.works_for_all() {
            Ok(())
        } else {
            Err(ApiError::NotAllowed(
                "this needs the shared API token or a manager of every dealership".into(),
            ))
        }
    }

    /// Whether the caller's dealership is `dealership` (or they work for every one).
    pub fn works_for(&self, dealership: &str) -> bool {
        self.staff().is_none_or(|s| works_for(s, dealership))
    }

    /// Of `leads`, those the caller may see (every one for the shared token): what a list of
    /// rows naming leads (tasks, escalations, appointments, documents) keeps.
    pub async fn visible_leads(
        &self,
        state: &AppState,
        leads: Vec<LeadId>,
    ) -> ApiResult<HashSet<LeadId>> {
        let mut visible = HashSet::new();
        let mut seen = HashSet::new();
        for id in leads {
            if !seen.insert(id) {
                continue;
            }
            let sees = match self {
                Caller::Admin => true,
                Caller::Staff(_) => state
                    .engine
                    .store()
                    .lead(id)
                    .await?
                    .is_some_and(|lead| self.sees(state, lead.scope())),
            };
            if sees {
                visible.insert(id);
            }
        }
        Ok(visible)
    }

    /// Refuses callers who do not see everything (403): dealership-wide resources.
    pub fn require_everything(&self) -> ApiResult<()> {
        if self.sees_everything() {
            Ok(())
        } else {
            Err(ApiError::NotAllowed(
                "this needs a manager's token or the shared API token".into(),
            ))
        }
    }

    /// The lead `id` if the caller may see it; 404 for a lead they may not see, as for one that
    /// does not exist.
    pub async fn lead(&self, state: &AppState, id: LeadId) -> ApiResult<LeadRow> {
        state
            .engine
            .store()
            .lead(id)
            .await?
            .filter(|lead| self.sees(state, lead.scope()))
            .ok_or_else(|| ApiError::NotFound(format!("lead {id}")))
    }

    /// Task `id` if the caller may act on it: their own, or one on a lead they may see; 404
    /// otherwise, as for a task that does not exist.
    pub async fn task(&self, state: &AppState, id: i64) -> ApiResult<keepwarm_store::TaskRow> {
        let missing = || ApiError::NotFound(format!("task {id}"));
        let task = state
            .engine
            .store()
            .show_task(id)
            .await?
            .ok_or_else(missing)?;
        if self.staff().is_none_or(|me| me.id != task.owner_id) {
            self.lead(state, task.lead_id)
                .await
                .map_err(|_| missing())?;
        }
        Ok(task)
    }
}
