//! The command line, as clap types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// keepwarm makes sure a dealership never lets a lead go cold.
#[derive(Debug, Parser)]
#[command(name = "keepwarm", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by commands that use the database and configuration.
#[derive(Debug, Args, Clone)]
pub struct Common {
    /// Configuration directory (see `keepwarm init`); the built-in starter configuration when absent.
    #[arg(long, global = true, env = "KEEPWARM_CONFIG")]
    pub config: Option<PathBuf>,
    /// The database URL (the help text names the forms; written there because rustdoc would read
    /// its brackets as links).
    #[arg(
        long,
        help = "Database URL: sqlite://PATH, sqlite::memory: or postgres://USER[:PASSWORD]@HOST[:PORT]/DB",
        global = true,
        env = "KEEPWARM_DB",
        default_value = "sqlite://keepwarm.db"
    )]
    pub db: String,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the command-line reference (Markdown, generated from these definitions; the text of
    /// docs/cli.md), or with `--config` the configuration reference (docs/config.md).
    #[command(hide = true)]
    Reference {
        /// The configuration files' reference instead, generated from the types they are read into.
        #[arg(long)]
        config: bool,
    },
    /// Write a complete, commented starter configuration into DIR.
    Init {
        /// Where to write it (created if missing; existing files are never overwritten).
        dir: PathBuf,
    },
    /// Validate a configuration and lint its message blocks; exit 2 on any error.
    Check {
        /// Configuration directory; the built-in starter configuration when absent.
        #[arg(long, env = "KEEPWARM_CONFIG")]
        config: Option<PathBuf>,
        /// Also read this database's do-not-call list and warn when its registry copy is older
        /// than 31 days or missing (sqlite://PATH or postgres://...).
        #[arg(long)]
        db: Option<String>,
    },
    /// Run the service: HTTP API and the dispatcher (with `--no-worker`, the HTTP API alone).
    Serve {
        #[command(flatten)]
        common: Common,
        /// Send every message to the sandbox outbox, whatever `channels.toml` says (without
        /// `channels.toml`, or with `sandbox` transports, that is already the case).
        #[arg(long)]
        sandbox: bool,
        /// `system`, or `manual:RFC3339` to start a manual clock at that instant.
        #[arg(long, default_value = "system")]
        clock: String,
        /// Address to listen on.
        #[arg(long, env = "KEEPWARM_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// On SIGTERM or Ctrl-C, how long in-flight requests and the dispatcher's current batch
        /// get to finish before the process exits anyway: `30s`, `2m`, or plain seconds.
        #[arg(long, env = "KEEPWARM_SHUTDOWN_GRACE", default_value = "30s", value_parser = parse_duration)]
        shutdown_grace: std::time::Duration,
        /// Log lines as `text` (coloured only on a terminal) or `json` (one object per line).
        #[arg(long, env = "KEEPWARM_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
        log_format: LogFormat,
        /// Serve HTTP only: record work and wake the workers (`keepwarm worker` processes on the
        /// same database), never send. Needs the system clock.
        #[arg(long)]
        no_worker: bool,
        /// How long a claim on due work stays this process's before another worker may settle it
        /// (`30s`, `10m`); by default 10m on touches and 5m on queued messages. It must outlast the
        /// slowest batch (256 texts at one a second take over 4 minutes).
        #[arg(long, env = "KEEPWARM_LEASE", value_parser = crate::commands::parse_lease)]
        lease: Option<std::time::Duration>,
    },
    /// Run the dispatcher alone: sends what is due, beside `serve --no-worker` processes and other
    /// workers on the same database. Stops gracefully on SIGTERM or Ctrl-C.
    Worker {
        #[command(flatten)]
        common: Common,
        /// Send every message to the sandbox outbox, whatever `channels.toml` says.
        #[arg(long)]
        sandbox: bool,
        /// Answer `GET /healthz` (200 while the worker runs) and `GET /readyz` on this address;
        /// no listener when absent.
        #[arg(long, env = "KEEPWARM_HEALTH_LISTEN")]
        health_listen: Option<String>,
        /// On SIGTERM or Ctrl-C, how long the current batch gets to be recorded before the
        /// process exits anyway: `30s`, `2m`, or plain seconds.
        #[arg(long, env = "KEEPWARM_SHUTDOWN_GRACE", default_value = "30s", value_parser = parse_duration)]
        shutdown_grace: std::time::Duration,
        /// Log lines as `text` (coloured only on a terminal) or `json` (one object per line).
        #[arg(long, env = "KEEPWARM_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
        log_format: LogFormat,
        /// How long a claim on due work stays this worker's before another may settle it (`30s`,
        /// `10m`); by default 10m on touches and 5m on queued messages. It must outlast the
        /// slowest batch.
        #[arg(long, env = "KEEPWARM_LEASE", value_parser = crate::commands::parse_lease)]
        lease: Option<std::time::Duration>,
    },
    /// Ask a running server whether it is ready (GET /readyz): exit 0 when it is, 1 with the
    /// reasons otherwise. For container health checks, where there is no curl.
    Ready {
        /// The readiness URL.
        #[arg(long, default_value = "http://127.0.0.1:8080/readyz")]
        url: String,
    },
    /// Apply the database's migrations and exit: creates a missing SQLite file; a PostgreSQL
    /// database must exist. `serve` applies them too; this runs them alone (before a deploy).
    Migrate {
        #[command(flatten)]
        common: Common,
    },
    /// Write a consistent copy of the database to PATH (SQLite's VACUUM INTO), safe while `serve`
    /// runs; the copy is integrity-checked. Never overwrites a file.
    Backup {
        #[command(flatten)]
        common: Common,
        /// Where to write the copy.
        to: PathBuf,
    },
    /// Replace the database with the backup at PATH. Refuses while any process (a running
    /// `serve`) has the database open, and refuses a file that is not an intact keepwarm database.
    Restore {
        #[command(flatten)]
        common: Common,
        /// The backup to restore.
        from: PathBuf,
    },
    /// Ingest lead files: normalized lead JSON (.json, one object or an array), ADF/XML (.xml,
    /// .adf), lead e-mails (.eml) and CRM/DMS exports (.csv).
    Ingest {
        #[command(flatten)]
        common: Common,
        /// Files to read.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Validate and print the normalized leads; store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print one JSON object per lead.
        #[arg(long)]
        json: bool,
        /// CSV column mapping, overriding automatic header matching: `first_name=First,phone=Cell`.
        #[arg(long)]
        map: Option<String>,
        /// Source kind of CSV rows (import, service, walk_in, internet, phone, sms).
        #[arg(long, default_value = "import")]
        source: String,
    },
    /// Record outcomes from a DMS export: `keepwarm outcomes import FILE.csv`.
    Outcomes {
        #[command(flatten)]
        common: Common,
        /// What to do.
        #[command(subcommand)]
        command: OutcomesCommand,
    },
    /// A person's data: export everything held about them, or erase it on request.
    Person {
        #[command(flatten)]
        common: Common,
        /// What to do.
        #[command(subcommand)]
        command: PersonCommand,
    },
    /// Inquiries the hourly cap on new leads per source held for a person.
    Held {
        #[command(flatten)]
        common: Common,
        /// What to do.
        #[command(subcommand)]
        command: HeldCommand,
    },
    /// The contact rules keepwarm enforces on calls and texts (state, federal, Canadian), with their
    /// citations: `keepwarm compliance rules`, `keepwarm compliance explain --touch ID`.
    Compliance {
        #[command(flatten)]
        common: Common,
        /// What to do.
        #[command(subcommand)]
        command: ComplianceCommand,
    },
    /// Stop every automated message of a dealership (or of every dealership) at once, and start
    /// them again: `keepwarm kill-switch on --dealership ID --reason ... --by NAME`.
    KillSwitch {
        #[command(flatten)]
        common: Common,
        /// What to do.
        #[command(subcommand)]
        command: KillSwitchCommand,
    },
    /// The National Do Not Call registry copy: `keepwarm dnc import FILE --date YYYY-MM-DD`.
    Dnc {
        #[command(flatten)]
        common: Common,
        /// What to do.
        #[command(subcommand)]
        command: DncCommand,
    },
    /// The inventory feed that proves "is here": `keepwarm inventory import FILE`.
    Inventory {
        #[command(flatten)]
        common: Common,
        /// What to do.
        #[command(subcommand)]
        command: InventoryCommand,
    },
    /// Look at leads.
    Leads {
        #[command(flatten)]
        common: Common,
        /// Which view.
        #[command(subcommand)]
        command: LeadsCommand,
    },
    /// Cadences and their versions.
    Cadence {
        #[command(flatten)]
        common: Common,
        /// What to show.
        #[command(subcommand)]
        command: CadenceCommand,
    },
    /// Open tasks for people, soonest first, with local times and names.
    Tasks {
        #[command(flatten)]
        common: Common,
        /// Only this staff member's tasks.
        #[arg(long)]
        owner: Option<String>,
        /// Only tasks past due.
        #[arg(long)]
        overdue: bool,
    },
    /// Escalations (hot replies on a clock), newest first, with local times and names.
    Escalations {
        #[command(flatten)]
        common: Common,
        /// open, breached, acknowledged or closed.
        #[arg(long)]
        status: Option<String>,
    },
    /// A lead's whole conversation, oldest first: texts, e-mails, calls and notes, both ways.
    Conversation {
        #[command(flatten)]
        common: Common,
        /// The lead id.
        lead: i64,
    },
    /// Write to a lead's customer from the store's number or address (queued; the server sends it
    /// under the same consent rules and contact window as the API).
    Reply {
        #[command(flatten)]
        common: Common,
        /// The lead id.
        lead: i64,
        /// What to say.
        text: String,
        /// The staff member who writes it.
        #[arg(long = "as", value_name = "STAFF_ID")]
        by: String,
        /// sms or email.
        #[arg(long, default_value = "sms")]
        channel: String,
        /// The e-mail subject.
        #[arg(long)]
        subject: Option<String>,
    },
    /// Staff identities: `keepwarm staff token create ID [--name laptop]`, `list`, `revoke`;
    /// `keepwarm staff set-password ID` (the password on stdin) for the workspace's sign-in.
    Staff {
        #[command(flatten)]
        common: Common,
        /// What to do.
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Reports.
    Report {
        #[command(flatten)]
        common: Common,
        /// Which report.
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// The weekly follow-up audit of one ISO week (docs/audit.md): sampled timing and message
    /// scores, hot replies acknowledged in under 5 minutes, appointment and show rates against a
    /// baseline, what to fix first.
    Audit {
        #[command(flatten)]
        common: Common,
        /// The ISO week, like 2026-W47; default the last complete week in the dealership's zone.
        #[arg(long)]
        week: Option<String>,
        /// md, json or html.
        #[arg(long, default_value = "md")]
        format: String,
        /// Sample seed; default year*100+week, so the same week gives the same sample.
        #[arg(long)]
        seed: Option<u64>,
        /// The dealership id; default the first in dealerships.toml.
        #[arg(long)]
        dealership: Option<String>,
    },
    /// Classify customer replies: `keepwarm classify "TEXT"`, or `--jsonl` with `{"text": ...}` lines
    /// on stdin. Prints the labels and which phrase or rule matched, as JSON.
    Classify {
        /// The reply to classify.
        text: Option<String>,
        /// Read `{"text": ...}` lines on stdin, write one JSON object per line.
        #[arg(long)]
        jsonl: bool,
        /// Configuration directory whose `replies.toml` extends the built-in phrase lists.
        #[arg(long, env = "KEEPWARM_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Measure dispatch throughput and lead-to-first-touch latency; prints JSON.
    Bench {
        /// Leads for the throughput run (each gets two day-0 touches).
        #[arg(long, default_value_t = 5000)]
        leads: usize,
        /// Leads posted one at a time for the latency run.
        #[arg(long, default_value_t = 300)]
        latency_leads: usize,
        /// ADF documents posted over HTTP.
        #[arg(long, default_value_t = 5000)]
        adf_leads: usize,
        /// Rows in the generated CSV import.
        #[arg(long, default_value_t = 100_000)]
        csv_rows: usize,
        /// Leads behind the workspace's pages (each padded to ten timeline events).
        #[arg(long, default_value_t = 100_000)]
        page_leads: usize,
        /// The largest future backlog of the `backlog` figure (touches due over the next 30 days,
        /// each its own lead); it also measures none and a tenth of it.
        #[arg(long, default_value_t = 1_000_000)]
        backlog: usize,
        /// Measure only these figures (repeatable); every figure by default.
        #[arg(long, value_enum)]
        only: Vec<crate::commands::bench::Figure>,
        /// Run the figures on this PostgreSQL server (`postgres://user@host/db`, any database the
        /// user may connect to): each figure creates a database of its own next to it and drops it
        /// afterwards. Without it every figure uses a SQLite file; the workspace pages always do.
        #[arg(long, value_name = "URL")]
        db: Option<String>,
    },
}

/// `keepwarm person ...`.
#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    /// Everything held about the person with this phone number or e-mail address, as JSON: leads,
    /// contacts, timeline events, messages sent and received, tasks, escalations, appointments,
    /// consent, raw documents that mention them, queued messages, the sandbox outbox, held
    /// inquiries.
    Export {
        /// A phone number (any common format) or an e-mail address.
        contact: String,
    },
    /// Erases the person with this phone number or e-mail address: their leads and everything about
    /// them are removed in one transaction; only a hashed suppression entry stays, so they are never
    /// taken in or contacted again. The erasure is recorded (who, when, how many rows).
    Erase {
        /// A phone number (any common format) or an e-mail address.
        contact: String,
        /// Who asked for the erasure (recorded); defaults to the login name.
        #[arg(long, env = "USER", default_value = "unknown")]
        by: String,
    },
}

/// `keepwarm held ...`.
#[derive(Debug, Subcommand)]
pub enum HeldCommand {
    /// Held inquiries, oldest first, as JSON lines.
    List {
        /// Released ones too.
        #[arg(long)]
        all: bool,
    },
    /// Takes held inquiries in as if they had just arrived (duplicates merge), without the cap.
    Release {
        /// Held inquiry ids.
        #[arg(required = true)]
        ids: Vec<i64>,
        /// Who released them (recorded); defaults to the login name.
        #[arg(long, env = "USER", default_value = "unknown")]
        by: String,
    },
}

/// `keepwarm leads ...`.
#[derive(Debug, Subcommand)]
pub enum LeadsCommand {
    /// Newest leads first.
    List {
        /// Only this owner's leads.
        #[arg(long)]
        owner: Option<String>,
        /// Only this segment.
        #[arg(long)]
        segment: Option<String>,
        /// Only this follow-up status (active, paused, stopped, completed).
        #[arg(long)]
        status: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// One lead, as JSON.
    Show {
        /// Lead id.
        id: i64,
    },
    /// A lead's timeline.
    Timeline {
        /// Lead id.
        id: i64,
        /// JSON lines instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// `keepwarm inventory ...`.
#[derive(Debug, Subcommand)]
pub enum InventoryCommand {
    /// Replaces the dealership's inventory with a feed: CSV with `vin` and/or `stock` and `status`
    /// columns, or a JSON array of `{"vin", "stock", "status"}`. Run it whenever the DMS exports
    /// one; a variant claiming a vehicle "is here" goes only to leads whose vehicle is available.
    Import {
        /// The feed file.
        file: PathBuf,
        /// The dealership id (the only one when absent).
        #[arg(long)]
        dealership: Option<String>,
    },
}

/// `keepwarm compliance ...`.
#[derive(Debug, Subcommand)]
pub enum ComplianceCommand {
    /// Print the table in force: every row with its jurisdiction, limit, effective date, citation
    /// and whether the figure was checked against its source. Not legal advice.
    Rules {
        /// One JSON document instead of the text table.
        #[arg(long)]
        json: bool,
    },
    /// Why a touch went, waited or was skipped: the recipient's zones and jurisdictions, every
    /// rule row evaluated with its citation, the gate's verdict now, and the touch's deferrals.
    Explain {
        /// The touch id (from a lead's timeline).
        #[arg(long)]
        touch: i64,
        /// One JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// A week's compliance report: deferrals by rule, kill-switch holds and do-not-call skips,
    /// opt-outs with the time taken to honour each, and automated sends after a revocation (must
    /// be 0). Not legal advice.
    Report {
        /// The ISO week (`2026-W49`); default the last complete week in the dealership's zone.
        #[arg(long)]
        week: Option<String>,
        /// The dealership id (the first when absent).
        #[arg(long)]
        dealership: Option<String>,
        /// `md` (default) or `json`.
        #[arg(long, default_value = "md", value_parser = ["md", "json"])]
        format: String,
    },
}

/// `keepwarm dnc ...`.
#[derive(Debug, Subcommand)]
pub enum DncCommand {
    /// Replace the do-not-call list with the registry's download: one 10-digit number a line
    /// (separators allowed), streamed. A bad line is named and nothing changes. A listed number
    /// whose inquiry is over 3 months old gets no automated calls or texts.
    Import {
        /// The downloaded file.
        file: PathBuf,
        /// The date of the registry download (YYYY-MM-DD); older than 31 days is a warning.
        #[arg(long)]
        date: String,
        /// One JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The list in force: its date, size, and whether it is stale.
    Status {
        /// One JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Which kill switch: one dealership's or every dealership's.
#[derive(Debug, clap::Args)]
pub struct KillSwitchScope {
    /// The dealership's id.
    #[arg(long, conflicts_with = "all")]
    pub dealership: Option<String>,
    /// Every dealership's switch instead.
    #[arg(long)]
    pub all: bool,
}

/// `keepwarm kill-switch ...`.
#[derive(Debug, Subcommand)]
pub enum KillSwitchCommand {
    /// Engage: from this instant no automated message to a customer leaves (touches already
    /// claimed are held at send time); staff alerts, opt-out confirmations and people's own
    /// messages still go. Each hold is on the lead's timeline.
    On {
        #[command(flatten)]
        scope: KillSwitchScope,
        /// Why (kept on the switch's history).
        #[arg(long)]
        reason: String,
        /// Who flips it.
        #[arg(long)]
        by: String,
        /// One JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Release: the held touches go back on the queue in their order, each through the gate
    /// (contact windows and frequency caps still hold).
    Off {
        #[command(flatten)]
        scope: KillSwitchScope,
        /// Why (kept on the switch's history).
        #[arg(long)]
        reason: String,
        /// Who flips it.
        #[arg(long)]
        by: String,
        /// One JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The switch's state and history.
    Status {
        #[command(flatten)]
        scope: KillSwitchScope,
        /// One JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// `keepwarm staff ...`.
#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Personal API tokens: a request with one acts as that staff member.
    Token {
        /// What to do.
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Set staff member ID's workspace password, read from stdin (its first line; at least 12
    /// characters). Only an argon2id hash is kept; their open browser sessions end.
    SetPassword {
        /// The staff member's id in staff.toml.
        id: String,
    },
}

/// `keepwarm staff token ...`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for staff member ID and print it once (only its digest is kept).
    Create {
        /// The staff member's id in staff.toml.
        id: String,
        /// What the holder calls it: laptop, phone.
        #[arg(long, default_value = "default")]
        name: String,
    },
    /// Every token (never the token itself): id, holder, name, created, revoked.
    List {
        /// Only this staff member's tokens.
        #[arg(long)]
        staff: Option<String>,
        /// JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by its id (from `list`): it acts as nobody from now on.
    Revoke {
        /// The token's id.
        id: i64,
    },
}

/// `keepwarm outcomes ...`.
#[derive(Debug, Subcommand)]
pub enum OutcomesCommand {
    /// Shows, sales and lost deals from a CSV (columns such as lead_id, phone, email, stage, at,
    /// reason; DMS header names are recognized). Rows find their lead by id, else phone, else e-mail;
    /// each row is reported; importing the same file again changes nothing.
    Import {
        /// The CSV file.
        file: PathBuf,
        /// Match and check every row; record nothing.
        #[arg(long)]
        dry_run: bool,
        /// One JSON object per row instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// `keepwarm report ...`.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Leads, contacted, appointment set, showed, sold, lost and the rates between them (95% Wilson
    /// intervals), speed to lead, escalations acknowledged within SLA.
    Funnel {
        /// segment, cadence, source or owner.
        #[arg(long, default_value = "segment")]
        by: String,
        /// Leads received from (RFC 3339, or YYYY-MM-DD in the dealership's zone).
        #[arg(long)]
        from: Option<String>,
        /// Leads received before.
        #[arg(long)]
        to: Option<String>,
        /// table, json or csv.
        #[arg(long, default_value = "table")]
        format: String,
    },
}

/// `keepwarm cadence ...`.
#[derive(Debug, Subcommand)]
pub enum CadenceCommand {
    /// Every version kept, when it was first and last enrolled, and what changed between versions.
    History {
        /// The cadence's name.
        name: String,
    },
}

/// How `serve` writes its log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines; coloured only when standard error is a terminal.
    Text,
    /// One JSON object per line, for a log system.
    Json,
}

/// Parses `--shutdown-grace`: a whole number of seconds, optionally with an `s`, `m` or `ms` unit.
pub(crate) fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 30s, 2m or 500ms"))?;
    match unit {
        "" | "s" => Ok(std::time::Duration::from_secs(number)),
        "ms" => Ok(std::time::Duration::from_millis(number)),
        "m" => Ok(std::time::Duration::from_secs(number.saturating_mul(60))),
        _ => Err(format!("`{text}`: unknown unit `{unit}` (use s, m or ms)")),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::parse_duration;

    #[test]
    fn shutdown_grace_reads_seconds_minutes_and_milliseconds() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
    }

    #[test]
    fn shutdown_grace_refuses_other_text_with_the_value_in_the_message() {
        assert!(parse_duration("soon").unwrap_err().contains("`soon`"));
        assert!(parse_duration("3h")
            .unwrap_err()
            .contains("unknown unit `h`"));
        assert!(parse_duration("-1s").is_err());
    }
}
