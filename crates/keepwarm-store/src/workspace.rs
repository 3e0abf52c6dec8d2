//! What the workspace (the web app, issue 14) keeps and reads: staff passwords, browser sessions,
//! lead search and the Today page's lists.
//!
//! Passwords arrive here already hashed (argon2id, by the engine) and sessions are looked up by the
//! digest of their cookie's token: nothing kept here lets anyone sign in. The reads are narrow
//! queries for one screen each, so a page with 100,000 leads behind it reads only what it shows.

use async_trait::async_trait;
use jiff::Timestamp;
use keepwarm_domain::{LeadId, LeadStatus};
use sqlx::QueryBuilder;

use crate::{LeadRow, Result, TaskRow};

/// A browser session to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebSession {
    /// Lower-case hex SHA-256 of the cookie's token.
    pub token_hash: String,
    /// Who signed in.
    pub staff_id: String,
    /// The token every form of this session must carry.
    pub csrf_token: String,
    /// When they signed in.
    pub created_at: Timestamp,
}

/// A kept browser session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSessionRow {
    /// Id (assigned by the database).
    pub id: i64,
    /// Who signed in.
    pub staff_id: String,
    /// The token every form of this session must carry.
    pub csrf_token: String,
    /// When they signed in.
    pub created_at: Timestamp,
    /// The last request made with it.
    pub last_seen_at: Timestamp,
    /// When it ended (signed out or found idle too long); an ended session signs nobody in.
    pub ended_at: Option<Timestamp>,
}

/// Which leads a staff member who does not see everything may see, as the query needs it (the
/// rules themselves are [`keepwarm_domain::access`]'s; the server turns them into this).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VisibleLeads {
    /// Leads this person owns.
    pub owner: String,
    /// Segments whose every lead they see, whoever owns it (service advisors' segments).
    pub all_of_segments: Vec<String>,
    /// Segments whose unowned leads they see: leads whose owner is not in `staff`.
    pub unowned_of_segments: Vec<String>,
    /// Every staff id in the configuration (an owner not in it left: the lead is unowned).
    pub staff: Vec<String>,
}

/// A search of the leads list: every given condition must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadSearch {
    /// Part of the lead's name (case-insensitive).
    pub name: Option<String>,
    /// The trailing digits of one of its phone numbers (`5551234567` finds `+15551234567`).
    pub phone_digits: Option<String>,
    /// One of its e-mail addresses (case-insensitive, whole address).
    pub email: Option<String>,
    /// Owned by this staff id.
    pub owner: Option<String>,
    /// In this segment.
    pub segment: Option<String>,
    /// At this stage (its word, `contacted`).
    pub stage: Option<String>,
    /// With this follow-up status.
    pub status: Option<LeadStatus>,
    /// From this source kind (`internet`, `phone`, ...).
    pub source: Option<String>,
    /// Received at or after.
    pub received_from: Option<Timestamp>,
    /// Received before.
    pub received_to: Option<Timestamp>,
    /// Only the leads of a person who does not see everything.
    pub visible: Option<VisibleLeads>,
    /// Only leads listed after this lead id (newest first: smaller ids), for paging.
    pub after: Option<i64>,
    /// At most this many (at most 1001).
    pub limit: u32,
}

/// A lead's speed to first touch: when keepwarm stored it and when it first sent the customer
/// something (automated or by a person), if it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstTouch {
    /// The lead.
    pub lead_id: LeadId,
    /// When keepwarm stored it (not the provider's inquiry date, which an import can set years back).
    pub created_at: Timestamp,
    /// The first text, e-mail or call to the customer.
    pub first_touch_at: Option<Timestamp>,
}

/// How many active leads and open tasks a staff id holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerLoad {
    /// The staff id.
    pub owner: String,
    /// Leads whose follow-up is active.
    pub active_leads: i64,
    /// Open tasks.
    pub open_tasks: i64,
}

/// Which active leads can be reached, and on which channels, for the compliance page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConsentCoverage {
    /// Leads whose follow-up is active.
    pub active: i64,
    /// Of those, with a usable mobile or landline number.
    pub with_phone: i64,
    /// Of those, with a number no revocation in force covers for texts.
    pub textable: i64,
    /// With a usable e-mail address.
    pub with_email: i64,
    /// With an address no revocation in force covers for e-mail.
    pub emailable: i64,
    /// Active leads marked opted out of everything.
    pub opted_out: i64,
}

/// The failed sign-ins of one key within a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInFailures {
    /// `account:LOGIN` or `address:IP`.
    pub key: String,
    /// How many.
    pub count: u32,
    /// The oldest of them.
    pub oldest: Timestamp,
}

impl SignInFailures {
    /// Decodes `(key, count, oldest failure in ms)` rows, as both backends read them.
    pub(crate) fn from_counts(rows: Vec<(String, i64, i64)>) -> Result<Vec<Self>> {
        rows.into_iter()
            .map(|(key, n, oldest)| {
                Ok(Self {
                    key,
                    count: u32::try_from(n).unwrap_or(u32::MAX),
                    oldest: crate::sqlite::ts(oldest)?,
                })
            })
            .collect()
    }
}

/// The workspace's storage: sign-in, its attempt limits, and the screens' reads.
#[async_trait]
pub trait Workspace: Send + Sync + 'static {
    /// Sets (or replaces) a staff member's password hash.
    async fn set_staff_password(&self, staff: &str, hash: &str, at: Timestamp) -> Result<()>;

    /// A staff member's password hash, if they have one.
    async fn staff_password(&self, staff: &str) -> Result<Option<String>>;

    /// Keeps a new browser session.
    async fn create_web_session(&self, session: &NewWebSession) -> Result<WebSessionRow>;

    /// The session whose token has this digest, ended or not.
    async fn web_session(&self, token_hash: &str) -> Result<Option<WebSessionRow>>;

    /// Notes a request made with a session (its idle clock starts again).
    async fn touch_web_session(&self, id: i64, at: Timestamp) -> Result<()>;

    /// Ends a session (a session already ended keeps its end).
    async fn end_web_session(&self, id: i64, at: Timestamp) -> Result<()>;

    /// Ends every open session of a staff member (their password changed); returns how many.
    async fn end_staff_sessions(&self, staff: &str, at: Timestamp) -> Result<u64>;

    /// Failed sign-ins after `since` for each of `keys` that has any: how many, and the oldest.
    async fn sign_in_failures(
        &self,
        keys: &[String],
        since: Timestamp,
    ) -> Result<Vec<SignInFailures>>;

    /// Records a failed sign-in against each of `keys` at `at`, and forgets every failure at or
    /// before `forget_before` (they no longer count against anyone).
    async fn record_sign_in_failure(
        &self,
        keys: &[String],
        at: Timestamp,
        forget_before: Timestamp,
    ) -> Result<()>;

    /// Forgets the failed sign-ins of one key (its account signed in).
    async fn clear_sign_in_failures(&self, key: &str) -> Result<()>;

    /// The leads with these ids, as stored, in one read (ids that name no lead are left out).
    async fn leads_by_ids(&self, ids: &[LeadId]) -> Result<Vec<LeadRow>>;

    /// Leads matching a search, newest first.
    async fn search_leads(&self, search: &LeadSearch) -> Result<Vec<LeadRow>>;

    /// The id of the newest timeline event (0 with none): what changed since a page was drawn.
    async fn latest_event_id(&self) -> Result<i64>;

    /// Open tasks due before `now`, oldest due first, optionally of one owner.
    async fn overdue_tasks(
        &self,
        now: Timestamp,
        owner: Option<&str>,
        limit: u32,
    ) -> Result<Vec<TaskRow>>;

    /// Leads stored at or after `since`, still active, that nothing was sent to yet (no text,
    /// e-mail or call to the customer), oldest first, optionally of one owner.
    async fn untouched_leads(
        &self,
        since: Timestamp,
        owner: Option<&str>,
        limit: u32,
    ) -> Result<Vec<LeadRow>>;

    /// Speed to first touch of every lead stored in `[from, to)`.
    async fn first_touches(&self, from: Timestamp, to: Timestamp) -> Result<Vec<FirstTouch>>;

    /// Active leads and open tasks per owner, busiest first.
    async fn owner_loads(&self) -> Result<Vec<OwnerLoad>>;

    /// Timeline events of these kinds (words of [`keepwarm_domain::TimelineEvent::KINDS`]) at or
    /// after `from` and before `to`, across every lead, newest first, at most `limit`.
    async fn events_of_kinds(
        &self,
        kinds: &[&str],
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> Result<Vec<crate::TimelineEntry>>;

    /// How many active leads (of one dealership, or all) can be texted and e-mailed.
    async fn consent_coverage(&self, dealership: Option<&str>) -> Result<ConsentCoverage>;
}

/// `AND (...)`: the leads a person who does not see everything may see.
fn push_visible<'a, DB: sqlx::Database>(q: &mut QueryBuilder<'a, DB>, v: &VisibleLeads)
where
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    &'static str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    q.push(" AND (l.owner_id = ").push_bind(v.owner.clone());
    if !v.all_of_segments.is_empty() {
        q.push(" OR l.segment IN (");
        let mut list = q.separated(", ");
        for s in &v.all_of_segments {
            list.push_bind(s.clone());
        }
        q.push(")");
    }
    if !v.unowned_of_segments.is_empty() {
        q.push(" OR (l.segment IN (");
        let mut list = q.separated(", ");
        for s in &v.unowned_of_segments {
            list.push_bind(s.clone());
        }
        q.push(") AND l.owner_id NOT IN (");
        let mut list = q.separated(", ");
        list.push_bind("");
        for s in &v.staff {
            list.push_bind(s.clone());
        }
        q.push("))");
    }
    q.push(")");
}

/// `AND ...` for each condition of `s` (on the leads aliased `l`), on either backend's builder.
pub(crate) fn push_search<'a, DB: sqlx::Database>(q: &mut QueryBuilder<'a, DB>, s: &LeadSearch)
where
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    &'static str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    if let Some(name) = &s.name {
        // In any case on both backends (SQLite's LIKE ignores ASCII case, PostgreSQL's does not).
        let escaped = name
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q.push(" AND lower(l.display_name) LIKE ")
            .push_bind(format!("%{escaped}%"))
            .push(" ESCAPE '\\'");
    }
    if let Some(digits) = &s.phone_digits {
        // The numbers that end so, found once, then their leads: not a look-up per lead, which
        // walks every lead of the store (694 ms at 100,000 leads).
        q.push(
            " AND l.id IN (SELECT c.lead_id FROM lead_contacts c
              WHERE c.kind = 'phone' AND c.value LIKE ",
        )
        .push_bind(format!("%{digits}"))
        .push(")");
    }
    if let Some(email) = &s.email {
        q.push(
            " AND EXISTS (SELECT 1 FROM lead_contacts c WHERE c.lead_id = l.id
              AND c.kind = 'email' AND lower(c.value) = ",
        )
        .push_bind(email.to_lowercase())
        .push(")");
    }
    let words = [
        ("l.owner_id", &s.owner),
        ("l.segment", &s.segment),
        ("l.stage", &s.stage),
        ("l.source_kind", &s.source),
    ];
    for (column, value) in words {
        if let Some(value) = value {
            q.push(format!(" AND {column} = ")).push_bind(value.clone());
        }
    }
    if let Some(status) = s.status {
        q.push(" AND l.status = ").push_bind(status.as_str());
    }
    if let Some(from) = s.received_from {
        q.push(" AND l.received_at >= ")
            .push_bind(crate::sqlite::ms(from));
    }
    if let Some(to) = s.received_to {
        q.push(" AND l.received_at < ")
            .push_bind(crate::sqlite::ms(to));
    }
    if let Some(v) = &s.visible {
        push_visible(q, v);
    }
    if let Some(after) = s.after {
        q.push(" AND l.id < ").push_bind(after);
    }
}
