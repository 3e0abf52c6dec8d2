//! keepwarm's storage boundary: the [`Store`] trait, the records that cross it, and its backends.
//!
//! The engine decides; the store keeps. Every method that changes more than one row does it in one
//! transaction, so a lead is stored whole or not at all, and a touch's result, its timeline events and
//! the next planned touch land together. The backend is chosen once, from the database URL
//! ([`connect`]): SQLite (`sqlite:`, the embedded default) or PostgreSQL (`postgres://`, for
//! several processes on one database). Nothing here decides follow-up rules: that is keepwarm-domain's job.
#![forbid(unsafe_code)]

mod audit;
mod changes;
mod compliance;
pub mod coordination;
mod duplicates;
mod finish;
mod followthrough;
mod intake;
mod outbound;
mod outcomes;
mod people;
pub mod postgres;
mod records;
mod report;
mod rows;
pub mod sqlite;
mod staff;
mod tally;
#[cfg(feature = "testing")]
pub mod testing;
mod thread;
pub mod views;
mod workspace;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;
use keepwarm_domain::dedupe::MatchCandidate;
use keepwarm_domain::machine::applied::LatestEvent;
use keepwarm_domain::routing::OwnerChoice;
use keepwarm_domain::{EmailAddress, LeadId, PhoneNumber, Stage};

/// The `service_keys` row that holds a serving process's manual clock
/// ([`ChangeSets::record_engine_clock`]).
pub(crate) const ENGINE_CLOCK: &str = "engine_clock";

/// The recorded manual clock, read back.
pub(crate) fn parse_engine_clock(value: Option<String>) -> Result<Option<Timestamp>> {
    value
        .map(|v| {
            v.parse()
                .map_err(|e| StoreError::Corrupt(format!("{ENGINE_CLOCK} `{v}`: {e}")))
        })
        .transpose()
}

pub use changes::*;
pub use compliance::*;
pub use coordination::{Coordination, WorkListener};
pub use outbound::*;
pub use outcomes::*;
pub use people::*;
pub use postgres::{PgSettings, PgStore};
pub use records::*;
pub use sqlite::SqlitePools;

/// The connection pools of a store, by backend: what a component keeping its own table in the
/// store's database (the sandbox outbox) connects through.
#[derive(Debug, Clone)]
pub enum Pools {
    /// A SQLite database: its writer and readers.
    Sqlite(SqlitePools),
    /// A PostgreSQL database: its one pool.
    Postgres(sqlx::PgPool),
}
pub use staff::*;
pub use views::*;
pub use workspace::*;

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed a statement (including connection loss).
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The embedded migrations could not be applied.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The thing asked for does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// A row holds something this version cannot read (a hand-edited database, a newer version).
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
    /// The change was refused because the data moved on meanwhile (another writer got there first).
    #[error("{0}")]
    Conflict(String),
    /// The database URL names no supported backend.
    /// Carries the URL's scheme only: a URL can hold a password.
    #[error(
        "unsupported database URL scheme `{0}` (expected sqlite:PATH, sqlite::memory: or postgres://USER@HOST/DB)"
    )]
    UnsupportedUrl(String),
    /// The database server could not be reached or refused the connection, or the URL is malformed.
    /// One line; the URL is shown with its password masked and the reason never contains it.
    #[error("cannot open database {url}: {reason}")]
    Connect {
        /// The URL, password masked ([`redact_url`]).
        url: String,
        /// What went wrong, password scrubbed.
        reason: String,
    },
}

/// A store result.
pub type Result<T> = std::result::Result<T, StoreError>;

/// The write side: what a decision needs to load about a lead, and the change sets (and the narrower
/// writes not yet folded into [`ChangeSets::apply`]) that carry out its decision, each in one transaction.
#[async_trait]
pub trait ChangeSets: Send + Sync + 'static {
    /// Round robin within a team: chooses the next owner among `members` (`(staff id, on shift)` in
    /// team order) after the team's last assignment, and remembers the choice.
    async fn rotate_owner(
        &self,
        team: &str,
        members: &[(String, bool)],
    ) -> Result<Option<OwnerChoice>>;

    /// Round robin for `count` leads at once (bulk imports): the same turns as `count` calls of
    /// [`ChangeSets::rotate_owner`], in one transaction.
    async fn rotate_owners(
        &self,
        team: &str,
        members: &[(String, bool)],
        count: usize,
    ) -> Result<Vec<OwnerChoice>>;

    /// Keeps a cadence version's snapshot (idempotent: a version already kept is left as it is).
    async fn save_cadence_version(&self, version: &NewCadenceVersion) -> Result<()>;

    /// Stores a new lead with its contacts, events, enrollment, first touch and tasks, all or nothing.
    /// [`StoreError::Conflict`] when a lead of the dealership already has one of its usable
    /// contacts (see [`ChangeSets::create_leads`]).
    async fn create_lead(&self, lead: &NewLeadRecord) -> Result<CreatedLead>;

    /// Stores many new leads in one transaction, all or nothing; one answer per lead, in order.
    ///
    /// The duplicate check runs inside that transaction: a lead whose usable phone or e-mail a lead
    /// of the same dealership already has (stored by another process since the caller matched, or
    /// earlier in `leads`) is not stored but answered [`LeadCreation::Matched`], so the caller
    /// merges it instead. Two processes given the same shopper at once thus make one lead.
    async fn create_leads(&self, leads: &[NewLeadRecord]) -> Result<Vec<LeadCreation>>;

    /// Every lead with this usable phone number, with its stage.
    async fn lead_stages_with_phone(&self, phone: &PhoneNumber) -> Result<Vec<(LeadId, Stage)>>;

    /// The lead a call or text from this number belongs to, as
    /// [`keepwarm_domain::machine::applied::lead_for_phone`] picks it among
    /// [`ChangeSets::lead_stages_with_phone`].
    async fn find_lead_by_phone(&self, phone: &PhoneNumber) -> Result<Option<LeadId>> {
        let leads = self.lead_stages_with_phone(phone).await?;
        Ok(keepwarm_domain::machine::applied::lead_for_phone(&leads))
    }

    /// One lead with its contacts and current enrollment, as stored, for a decision about it
    /// (readers use [`ReadModel::show_lead`]).
    async fn lead(&self, id: LeadId) -> Result<Option<LeadRow>>;

    /// Tasks as stored, optionally for one owner, open ones first, for a decision.
    async fn tasks(&self, owner: Option<&str>) -> Result<Vec<TaskRow>>;

    /// One task as stored, for a decision.
    async fn task(&self, id: i64) -> Result<Option<TaskRow>>;

    /// One touch as stored, for a decision.
    async fn touch(&self, id: i64) -> Result<Option<TouchRow>>;

    /// One escalation as stored, for a decision.
    async fn escalation(&self, id: i64) -> Result<Option<EscalationRow>>;

    /// Escalations as stored, newest first, optionally with one status, for a decision.
    async fn escalations(&self, status: Option<&str>) -> Result<Vec<EscalationRow>>;

    /// One appointment as stored, for a decision.
    async fn appointment(&self, id: i64) -> Result<Option<AppointmentRow>>;

    /// A lead's latest appointment as stored, open or not, for a decision.
    async fn latest_appointment(&self, lead: LeadId) -> Result<Option<AppointmentRow>>;

    /// A lead's touches waiting on a pause.
    async fn held_touches(&self, lead: LeadId) -> Result<Vec<TouchRow>>;

    /// The pools this store works through, for a component that keeps its own table in the same
    /// database (the sandbox channel's outbox), on either backend.
    fn pools(&self) -> Pools;

    /// The known lead of this dealership whose usable phone or e-mail matches, latest inquiry first
    /// ([`ChangeSets::find_matches`] for one inquiry).
    async fn find_match(
        &self,
        dealership: &str,
        phones: &[PhoneNumber],
        emails: &[EmailAddress],
    ) -> Result<Option<MatchCandidate>> {
        if phones.is_empty() && emails.is_empty() {
            return Ok(None);
        }
        let inquiry = [(phones.to_vec(), emails.to_vec())];
        Ok(self
            .find_matches(dealership, &inquiry)
            .await?
            .pop()
            .flatten())
    }

    /// [`ChangeSets::find_match`] for several inquiries in one query; one answer per inquiry, in order.
    async fn find_matches(
        &self,
        dealership: &str,
        inquiries: &[(Vec<PhoneNumber>, Vec<EmailAddress>)],
    ) -> Result<Vec<Option<MatchCandidate>>>;

    /// Keeps a raw inbound document before it is parsed; returns its id.
    async fn store_document(&self, document: &NewDocument) -> Result<i64>;

    /// Keeps several raw documents in one transaction; returns their ids in order.
    async fn store_documents(&self, documents: &[NewDocument]) -> Result<Vec<i64>>;

    /// [`ChangeSets::finish_document`] for several documents in one transaction.
    async fn finish_documents(&self, results: &[DocumentResult]) -> Result<()>;

    /// Records how a document's parse went and the leads it produced or merged into.
    async fn finish_document(
        &self,
        id: i64,
        status: &str,
        detail: Option<&str>,
        leads: &[LeadId],
    ) -> Result<()>;

    /// Records a revocation in the consent ledger. Returns whether anything new was revoked (a
    /// channel already revoked for the contact is not recorded twice).
    async fn revoke_consent(&self, revocation: &Revocation) -> Result<bool>;

    /// The channels revoked and in force for each of these contacts (absent when none).
    async fn revoked_channels(&self, contacts: &[String]) -> Result<HashMap<String, Vec<String>>>;

    /// Replaces a dealership's inventory feed with `items` (`(key, available)`, keys as
    /// [`keepwarm_domain::inventory`] makes them).
    async fn replace_inventory(
        &self,
        dealership: &str,
        items: &[(String, bool)],
        now: Timestamp,
    ) -> Result<()>;

    /// Which of `keys` the dealership's inventory feed holds as available.
    async fn available_stock(
        &self,
        dealership: &str,
        keys: &[String],
    ) -> Result<std::collections::HashSet<String>>;

    /// Every lead with this usable phone number, in any dealership.
    async fn leads_with_phone(&self, phone: &PhoneNumber) -> Result<Vec<LeadId>>;

    /// The latest event of one of `kinds` on a lead, if any.
    async fn last_event_at(&self, lead: LeadId, kinds: &[&str]) -> Result<Option<Timestamp>>;

    /// The service's own key `name`, created from `candidate` the first time it is asked for and
    /// the same ever after (signing keys that must survive restarts).
    async fn service_key(&self, name: &str, candidate: &str, now: Timestamp) -> Result<String>;

    /// Records where the serving process's clock stands: `Some` for a manual clock (started with
    /// `--clock manual:…` and moved since), `None` for the system clock. Commands run beside the
    /// server on the same database ([`ChangeSets::engine_clock`]) judge time by it.
    async fn record_engine_clock(&self, manual: Option<Timestamp>) -> Result<()>;

    /// The manual clock the latest server on this database recorded, if it ran one.
    async fn engine_clock(&self) -> Result<Option<Timestamp>>;

    /// What a lead's conversation turns on: whether an escalation on it is unacknowledged, and the
    /// latest event of each shape (kind, data `kind`, data `outcome`) among
    /// [`keepwarm_domain::machine::applied::CONVERSATION_KINDS`].
    async fn conversation_events(&self, lead: LeadId) -> Result<(bool, Vec<LatestEvent>)>;

    /// Whose turn it is in a lead's conversation (an unacknowledged escalation, the customer's last
    /// message, a person's last answer), decided by
    /// [`keepwarm_domain::machine::applied::conversation_facts`] over
    /// [`ChangeSets::conversation_events`].
    async fn conversation_facts(
        &self,
        lead: LeadId,
    ) -> Result<keepwarm_domain::conversation::ConversationFacts> {
        let (open_escalation, latest) = self.conversation_events(lead).await?;
        Ok(keepwarm_domain::machine::applied::conversation_facts(
            open_escalation,
            &latest,
        ))
    }

    /// Applies a decision's change set whole, with its idempotency key, in one transaction.
    async fn apply(&self, set: &ChangeSet) -> Result<Applied>;

    /// Which of these CSV row keys were already imported.
    async fn imported_rows(&self, keys: &[String]) -> Result<HashSet<String>>;

    /// Remembers imported CSV rows.
    async fn record_imported_rows(
        &self,
        rows: &[(String, Option<LeadId>)],
        at: Timestamp,
    ) -> Result<()>;
    /// A lead's open tasks and unacknowledged escalations, with whose each is (what a
    /// reassignment moves).
    async fn open_work(&self, lead: LeadId) -> Result<OpenWork>;

    /// Keeps a staff member's new API token (its digest only).
    async fn create_staff_token(&self, token: &NewStaffToken) -> Result<StaffTokenRow>;

    /// Revokes a staff token (a revoked one stays as it was); `None` when there is no such token.
    async fn revoke_staff_token(&self, id: i64, at: Timestamp) -> Result<Option<StaffTokenRow>>;

    /// The unrevoked staff token with this digest (lower-case hex SHA-256).
    async fn active_staff_token(&self, token_hash: &str) -> Result<Option<StaffTokenRow>>;

    /// The consent ledger's revocations in force for a contact, oldest first.
    async fn revocations_in_force(&self, contact: &str) -> Result<Vec<RevocationInForce>>;
}

/// Due work of every kind, claimed so that each piece is done once: touches, queued outbound messages,
/// timers, escalation deadlines and weekly reports.
#[async_trait]
pub trait WorkQueue: Send + Sync + 'static {
    /// Claims up to `limit` scheduled touches due at or before `now` for `worker`, leased until
    /// `lease_until`, marking them `sending` durably before returning them with what dispatch needs
    /// to know. Concurrent claimers (in any process) get disjoint touches.
    async fn claim_due(
        &self,
        now: Timestamp,
        worker: &str,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<ClaimedTouch>>;

    /// Takes over up to `limit` touches whose lease expired while `sending` (their worker stopped
    /// between claim and result), for `worker` to reconcile with the channel. Their claim time is
    /// kept: it is when the message may have been handed over.
    async fn reclaim_expired_touches(
        &self,
        now: Timestamp,
        worker: &str,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<ClaimedTouch>>;

    /// When each of `phones` (E.164) got automated calls, voicemail drops and texts after `since`:
    /// sent touches on those channels, from every dealership, newest last. The send-time gate counts
    /// them against the recipient's frequency caps.
    async fn phone_sends_since(
        &self,
        phones: &[String],
        since: Timestamp,
    ) -> Result<HashMap<String, Vec<Timestamp>>>;

    /// The frequency caps' count for a batch `worker` has claimed, taken so that two batches in
    /// flight cannot both pass one person's cap: `holds` are the batch's phone touches with the
    /// number each will go to. Serialized per number with every other reservation (SQLite's write
    /// lock, PostgreSQL's advisory lock per number), it reads what [`WorkQueue::phone_sends_since`]
    /// reads plus the touches to those numbers other batches hold in flight (`sending` with their
    /// recipient set; at their claim time), then records each of `holds`'s numbers on its touch
    /// (only while the lease is still `worker`'s), so every later reservation counts them. A
    /// reservation of a touch that ends up not sent lapses when its result is recorded.
    async fn reserve_phone_sends(
        &self,
        worker: &str,
        holds: &[(i64, String)],
        since: Timestamp,
    ) -> Result<HashMap<String, Vec<Timestamp>>>;

    /// Puts a `sending` touch leased to `worker` back to `scheduled` (it was never handed to a
    /// channel); a touch whose lease another worker took over is left alone.
    async fn release_touch(&self, touch: i64, worker: &str, event: &NewEvent) -> Result<()>;

    /// Records the results of touches `worker` dispatched and plans what follows, one transaction
    /// per call. A result for a touch whose lease is no longer `worker`'s changes nothing.
    async fn finish_touches(&self, worker: &str, outcomes: &[TouchOutcome]) -> Result<()>;

    /// The earliest due time of any scheduled touch, or expiry of a `sending` touch's lease.
    async fn next_due_at(&self) -> Result<Option<Timestamp>>;

    /// Unacknowledged escalations whose next deadline is at or before `now`.
    async fn due_escalations(&self, now: Timestamp) -> Result<Vec<EscalationRow>>;

    /// The earliest pending escalation deadline.
    async fn next_escalation_at(&self) -> Result<Option<Timestamp>>;

    /// Claims unfired timers due at or before `now` for `worker`, leased until `lease_until`: a
    /// timer another worker holds is left alone until its lease runs out (that worker stopped), then
    /// it is claimed again.
    async fn claim_due_timers(
        &self,
        now: Timestamp,
        worker: &str,
        lease_until: Timestamp,
    ) -> Result<Vec<TimerRow>>;

    /// Marks a claimed timer fired (its work is done) at `at`. A timer already fired is left as it
    /// is.
    async fn finish_timer(&self, id: i64, at: Timestamp) -> Result<()>;

    /// When the next timer is due: the earliest unfired timer, or the end of a live lease.
    async fn next_timer_at(&self) -> Result<Option<Timestamp>>;

    /// Claims the weekly report of `week` for `recipient` before it is sent; `false` when it was
    /// claimed before (by this or another process), so each goes out at most once.
    async fn claim_report_delivery(
        &self,
        dealership: &str,
        week: &str,
        recipient: &str,
        at: Timestamp,
    ) -> Result<bool>;

    /// Records how a claimed weekly report went (`sent` or `failed`, with a detail).
    async fn finish_report_delivery(
        &self,
        dealership: &str,
        week: &str,
        recipient: &str,
        status: &str,
        detail: Option<&str>,
    ) -> Result<()>;

    /// Recipients already claimed for a week's report, by id.
    async fn report_recipients(&self, dealership: &str, week: &str) -> Result<Vec<String>>;

    /// Queues messages on the durable outbound queue, one transaction; one id per message, `None`
    /// where a message with the same dedupe key was queued before.
    async fn enqueue_outbound(
        &self,
        messages: &[NewOutbound],
        now: Timestamp,
    ) -> Result<Vec<Option<i64>>>;

    /// Claims up to `limit` queued messages due at `now` for `worker`, leased until `lease_until`.
    async fn claim_outbound(
        &self,
        now: Timestamp,
        worker: &str,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<OutboundRow>>;

    /// Takes over up to `limit` messages whose lease expired while `sending` (their worker stopped),
    /// for `worker` to reconcile with the channel.
    async fn reclaim_expired_outbound(
        &self,
        now: Timestamp,
        worker: &str,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<OutboundRow>>;

    /// Records claimed messages' results with the timeline events they asked for; a result whose
    /// lease another worker took over changes nothing.
    async fn finish_outbound(&self, finishes: &[OutboundFinish]) -> Result<()>;

    /// The earliest instant a queued message is due or a lease expires.
    async fn next_outbound_at(&self) -> Result<Option<Timestamp>>;

    /// When each queue next has work ([`WorkQueue::next_due_at`] split into scheduled touches and
    /// leases, [`WorkQueue::next_escalation_at`], [`WorkQueue::next_timer_at`],
    /// [`WorkQueue::next_outbound_at`]), read together: what a worker looks at after each wake to
    /// know which queues to visit and how long to sleep (PostgreSQL: one statement).
    async fn agenda(&self) -> Result<Agenda>;
}

/// When each work queue next has something to do (see [`WorkQueue::agenda`]); `None` where a
/// queue is empty.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Agenda {
    /// The earliest scheduled touch's due time.
    pub touches: Option<Timestamp>,
    /// The earliest end of a `sending` touch's lease (a touch without one counts as expired).
    pub leases: Option<Timestamp>,
    /// The earliest pending escalation deadline.
    pub escalations: Option<Timestamp>,
    /// The earliest unfired timer (or the end of its live lease).
    pub timers: Option<Timestamp>,
    /// The earliest queued message's due time or `sending` message's lease end.
    pub outbound: Option<Timestamp>,
}

impl Agenda {
    /// The earliest instant any queue has work.
    pub fn next(&self) -> Option<Timestamp> {
        [
            self.touches,
            self.leases,
            self.escalations,
            self.timers,
            self.outbound,
        ]
        .into_iter()
        .flatten()
        .min()
    }
}

/// The read model: what the API, the CLI, the pages and reports show, as view types built for
/// readers ([`views`]), not database rows. Nothing here changes anything.
#[async_trait]
pub trait ReadModel: Send + Sync + 'static {
    /// How much work is waiting at `now` and how many escalations wait for a person (`/metrics`).
    async fn queue_stats(&self, now: Timestamp) -> Result<QueueStats>;

    /// Every kept version of a cadence, oldest first, with when it was enrolled.
    async fn cadence_versions(&self, name: &str) -> Result<Vec<CadenceVersionRow>>;

    /// A kept cadence version's snapshot JSON.
    async fn cadence_version(&self, name: &str, version: &str) -> Result<Option<String>>;

    /// One lead as readers see it, with its latest appointment (its owner's name is the reader's
    /// to resolve: [`LeadView::name_owner`]).
    async fn show_lead(&self, id: LeadId) -> Result<Option<LeadView>>;

    /// Leads, newest first; with `filter.after`, those listed after that lead id.
    async fn list_leads(&self, filter: &LeadFilter) -> Result<Vec<LeadView>>;

    /// A lead's timeline, in order: each event typed ([`keepwarm_domain::TimelineEvent`]).
    async fn timeline(&self, id: LeadId) -> Result<Vec<TimelineEntry>>;

    /// A stored document's metadata and body.
    async fn document(&self, id: i64) -> Result<Option<(DocumentRow, Vec<u8>)>>;

    /// Stored documents, newest first, optionally with one status: one page of them.
    async fn documents(&self, status: Option<&str>, page: &Page) -> Result<Vec<DocumentRow>>;

    /// One page of the tasks, optionally for one owner, open ones first (then by due time; the
    /// page key is [`TaskView::list_key`]).
    async fn tasks_page(&self, owner: Option<&str>, page: &Page) -> Result<Vec<TaskView>>;

    /// One task as readers see it.
    async fn show_task(&self, id: i64) -> Result<Option<TaskView>>;

    /// One page of the escalations, newest first, optionally with one status.
    async fn escalations_page(
        &self,
        status: Option<EscalationStatus>,
        page: &Page,
    ) -> Result<Vec<EscalationView>>;

    /// One escalation as readers see it.
    async fn show_escalation(&self, id: i64) -> Result<Option<EscalationView>>;

    /// Appointments, soonest first.
    async fn appointments(&self, filter: &AppointmentFilter) -> Result<Vec<AppointmentView>>;

    /// The funnel report's facts for every lead received in `[from, to)`.
    async fn report_leads(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<keepwarm_domain::report::ReportLead>>;

    /// The funnel's counts of the leads received in `[from, to)` (of `dealership` only, when one
    /// is named), aggregated in the database: for each grouping in `by`, one tally per group
    /// sorted by group and the `all` tally last. The same numbers
    /// [`keepwarm_domain::report::tally`] folds from [`ReadModel::report_leads`], without reading
    /// every lead's facts out of the database.
    async fn report_tallies(
        &self,
        from: Timestamp,
        to: Timestamp,
        dealership: Option<&str>,
        by: &[keepwarm_domain::report::GroupBy],
    ) -> Result<Vec<Vec<keepwarm_domain::report::GroupTally>>>;

    /// The weekly audit's facts for `dealership`: leads with timeline activity (or a touch still
    /// waiting that was due) in `[from, to)`
    /// (the audited week and its baseline weeks), with every stage change they ever had; touches
    /// due or finished and escalations raised in `[week_start, to)`.
    async fn audit_activity(
        &self,
        dealership: &str,
        from: Timestamp,
        week_start: Timestamp,
        to: Timestamp,
    ) -> Result<AuditActivity>;

    /// Queued messages (every state), oldest first, optionally for one lead.
    async fn outbound_messages(&self, lead: Option<LeadId>) -> Result<Vec<OutboundView>>;

    /// The latest `limit` messages of a lead's conversation, both ways (touches sent to the customer
    /// on any channel, the customer's texts and calls), oldest first.
    async fn recent_conversation(&self, lead: LeadId, limit: u32)
        -> Result<Vec<ConversationEntry>>;

    /// Staff tokens, oldest first, optionally of one staff member.
    async fn staff_tokens(&self, staff: Option<&str>) -> Result<Vec<StaffTokenRow>>;

    /// A lead's whole conversation, oldest first: every text, e-mail and call in both directions,
    /// automated and human, and the notes people wrote.
    async fn conversation(&self, lead: LeadId)
        -> Result<Vec<keepwarm_domain::thread::ThreadEntry>>;

    /// The "waiting on us" queue, oldest wait first: leads whose customer's message no person has
    /// answered, optionally of one owner or one lead.
    async fn waiting(
        &self,
        owner: Option<&str>,
        lead: Option<LeadId>,
    ) -> Result<Vec<keepwarm_domain::thread::Waiting>>;

    /// The lead a message keepwarm sent to a customer was about, by the provider's id for it (an
    /// e-mail's Message-ID, angle brackets included).
    async fn lead_of_message(&self, provider_id: &str) -> Result<Option<LeadId>>;
}

/// One page of a list: at most `limit` rows, after the row whose sort key is `after` (the last
/// row of the previous page). Each list has its own key: an id for lists in id order; the done
/// flag, due time (ms) and id for tasks; the start (ms) and id for appointments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The sort key of the previous page's last row; `None` for the first page.
    pub after: Option<Vec<i64>>,
    /// At most this many rows.
    pub limit: u32,
}

/// How much work is waiting, for the operator's metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Touches scheduled and due now (or overdue).
    pub touches_due: i64,
    /// The due time of the oldest of them.
    pub oldest_due_at: Option<Timestamp>,
    /// Queued staff alerts and confirmations due now.
    pub outbound_due: i64,
    /// Escalations waiting for their first person.
    pub escalations_open: i64,
    /// Escalations whose deadline passed without an acknowledgement.
    pub escalations_breached: i64,
}

/// Everything keepwarm keeps: the three sides of the store, people's data ([`People`]), the
/// workspace's sign-in and screens ([`Workspace`]), the dealership-wide compliance controls
/// ([`ComplianceStore`]) and what processes sharing the database tell each other
/// ([`Coordination`]), implemented by each backend.
pub trait Store:
    ChangeSets + WorkQueue + ReadModel + People + Workspace + ComplianceStore + Coordination
{
}

impl<
        T: ChangeSets + WorkQueue + ReadModel + People + Workspace + ComplianceStore + Coordination,
    > Store for T
{
}

/// A shared store handle.
pub type SharedStore = Arc<dyn Store>;

/// Opens the backend the URL names and applies its migrations, with the default pool settings.
pub async fn connect(url: &str) -> Result<SharedStore> {
    connect_with(url, PgSettings::default()).await
}

/// Opens the backend the URL names and applies its migrations; `pg` sizes a PostgreSQL pool (SQLite
/// has its own fixed pools).
pub async fn connect_with(url: &str, pg: PgSettings) -> Result<SharedStore> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PgStore::connect(url, pg).await?))
    } else {
        let scheme = url.split(':').next().unwrap_or_default();
        Err(StoreError::UnsupportedUrl(scheme.to_owned()))
    }
}

/// The URL as it may be shown: a password (`user:secret@`) becomes `user:***@`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
            let masked = if userinfo.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{masked}@{host}{tail}")
        }
        None => url.to_owned(),
    }
}
