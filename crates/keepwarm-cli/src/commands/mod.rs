//! One module per command; [`run`] routes to them. Shared set-up (configuration, store, engine) lives
//! here so every command opens things the same way.

mod audit;
mod backup;
pub(crate) mod bench;
mod bench_backlog;
mod bench_db;
mod bench_pages;
mod cadence;
pub mod channels;
mod classify;
mod compliance;
pub mod database;
mod dnc;
mod ingest;
mod inventory;
mod kill_switch;
mod leads;
mod outcomes;
mod people_work;
mod person;
mod process;
mod ready;
mod report;
mod serve;
mod staff;
mod worker;

use people_work::PeopleCommand;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use keepwarm_channels::SandboxChannel;
use keepwarm_domain::config::{Checked, Config};
use keepwarm_engine::config_dir::{load_config_dir, load_starter, write_starter};
use keepwarm_engine::{Clock, Engine};
use keepwarm_store::SharedStore;

use crate::app::{Cli, Command};
use database::Opening;
pub use process::parse_lease;

/// Exit code for bad input.
pub const BAD_INPUT: u8 = 2;

/// Runs a command.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Reference { config } => {
            use std::io::Write as _;
            let text = if config {
                keepwarm_domain::config::reference::markdown()
            } else {
                crate::reference::markdown()
            };
            std::io::stdout()
                .write_all(text.as_bytes())
                .context("writing the reference")?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { dir } => init(&dir),
        Command::Cadence { common, command } => match command {
            crate::app::CadenceCommand::History { name } => cadence::history(&common, &name).await,
        },
        Command::Report { common, command } => match command {
            crate::app::ReportCommand::Funnel {
                by,
                from,
                to,
                format,
            } => {
                let args = report::FunnelArgs {
                    by: &by,
                    from: from.as_deref(),
                    to: to.as_deref(),
                    format: &format,
                };
                report::funnel_command(&common, args).await
            }
        },
        Command::Audit {
            common,
            week,
            format,
            seed,
            dealership,
        } => {
            let args = audit::AuditArgs {
                week: week.as_deref(),
                format: &format,
                seed,
                dealership: dealership.as_deref(),
            };
            audit::run(&common, args).await
        }
        Command::Classify {
            text,
            jsonl,
            config,
        } => classify::run(config.as_deref(), text.as_deref(), jsonl),
        Command::Check { config, db } => {
            let code = check(config.as_deref())?;
            match db {
                Some(db) if code == ExitCode::SUCCESS => {
                    dnc::warn_when_stale(config.as_deref(), &db).await?;
                    Ok(code)
                }
                _ => Ok(code),
            }
        }
        Command::Serve {
            common,
            sandbox,
            clock,
            listen,
            shutdown_grace,
            log_format,
            no_worker,
            lease,
        } => {
            let args = serve::ServeArgs {
                clock: &clock,
                listen: &listen,
                sandbox_only: sandbox,
                shutdown_grace,
                log_format,
                no_worker,
                lease,
            };
            serve::run(&common, args).await
        }
        Command::Worker {
            common,
            sandbox,
            health_listen,
            shutdown_grace,
            log_format,
            lease,
        } => {
            let args = worker::WorkerArgs {
                sandbox_only: sandbox,
                health_listen: health_listen.as_deref(),
                shutdown_grace,
                log_format,
                lease,
            };
            worker::run(&common, args).await
        }
        Command::Ingest {
            common,
            files,
            dry_run,
            json,
            map,
            source,
        } => {
            let source = match source.parse() {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: --source: {e}");
                    return Ok(ExitCode::from(BAD_INPUT));
                }
            };
            let args = ingest::IngestArgs {
                files: &files,
                dry_run,
                json,
                map: map.as_deref(),
                source,
            };
            ingest::run(&common, args).await
        }
        Command::Ready { url } => ready::run(&url).await,
        Command::Migrate { common } => {
            create_store(&common.db).await?;
            eprintln!("migrations applied to {}", database::redact(&common.db));
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { common, to } => backup::run_backup(&common, &to).await,
        Command::Restore { common, from } => backup::run_restore(&common, &from).await,
        Command::Leads { common, command } => leads::run(&common, command).await,
        Command::Person { common, command } => person::run(&common, command).await,
        Command::Held { common, command } => person::held(&common, command).await,
        Command::Staff { common, command } => staff::run(&common, command).await,
        Command::Tasks {
            common,
            owner,
            overdue,
        } => people_work::run(&common, PeopleCommand::Tasks { owner, overdue }).await,
        Command::Escalations { common, status } => {
            people_work::run(&common, PeopleCommand::Escalations { status }).await
        }
        Command::Conversation { common, lead } => {
            people_work::run(&common, PeopleCommand::Conversation { lead }).await
        }
        Command::Reply {
            common,
            lead,
            text,
            by,
            channel,
            subject,
        } => {
            let command = PeopleCommand::Reply {
                lead,
                text,
                by,
                channel,
                subject,
            };
            people_work::run(&common, command).await
        }
        Command::Outcomes { common, command } => outcomes::run(&common, command).await,
        Command::Inventory { common, command } => inventory::run(&common, command).await,
        Command::Compliance { common, command } => compliance::run(&common, command).await,
        Command::KillSwitch { common, command } => kill_switch::run(&common, command).await,
        Command::Dnc { common, command } => dnc::run(&common, command).await,
        Command::Bench {
            leads,
            latency_leads,
            adf_leads,
            csv_rows,
            page_leads,
            backlog,
            only,
            db,
        } => {
            let sizes = bench::Sizes {
                leads,
                latency_leads,
                adf_leads,
                csv_rows,
                page_leads,
                backlog,
            };
            bench::run(sizes, &only, db.as_deref()).await
        }
    }
}

fn init(dir: &Path) -> anyhow::Result<ExitCode> {
    match write_starter(dir) {
        Ok(files) => {
            for f in files {
                crate::outln!("wrote {}", f.display());
            }
            crate::outln!(
                "next: keepwarm check --config {0} && keepwarm serve --config {0}",
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(BAD_INPUT))
        }
    }
}

fn check(dir: Option<&Path>) -> anyhow::Result<ExitCode> {
    match load(dir) {
        Ok(checked) => {
            let c = &checked.config;
            let missing = channels::missing(c, &channels::ChannelEnv::from_env());
            for m in &missing {
                eprintln!("error: {m}");
            }
            if !missing.is_empty() {
                eprintln!("{} error(s) in the channel set-up", missing.len());
                return Ok(ExitCode::from(BAD_INPUT));
            }
            crate::outln!(
                "ok: {} dealership(s), {} staff, {} segments, {} cadences, {} message blocks",
                c.dealerships.len(),
                c.staff.len(),
                c.segments.len(),
                c.cadences.len(),
                c.blocks.len()
            );
            for line in check_notes(c) {
                crate::outln!("{line}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(code) => Ok(code),
    }
}

/// What `keepwarm check` says about a valid configuration besides "ok": each block's variant
/// facts, the SMS encodings, the STOP/HELP answers' lengths, the audit e-mail's schedule.
pub fn check_notes(c: &keepwarm_domain::config::Config) -> Vec<String> {
    let mut lines = Vec::new();
    for b in c.blocks.values() {
        let facts = b.facts();
        let facts = if facts.is_empty() {
            "none (every lead gets the same wordings)".to_owned()
        } else {
            facts.join(", ")
        };
        lines.push(format!(
            "block {} ({}; {}): lead facts that choose its variant: {facts}",
            b.name,
            b.channel,
            b.languages().join("/")
        ));
    }
    let blocks: Vec<_> = c.blocks.values().collect();
    for (language, gsm, ucs2, most) in keepwarm_domain::lint::sms_encodings(&blocks) {
        lines.push(format!(
            "sms in {language}: {gsm} GSM-7 and {ucs2} UCS-2 variants, at most {most} segment(s) with sample context"
        ));
    }
    let languages = c.languages();
    for d in &c.dealerships {
        let phone = d.phone.as_ref().map(keepwarm_domain::PhoneNumber::national);
        for (what, language, text) in
            keepwarm_domain::lint::replies::keyword_replies(&d.brand, phone.as_deref(), &languages)
        {
            let len = keepwarm_domain::sms::sms_length(&text);
            lines.push(format!(
                "{} {what} in {language}: {} segment(s), {}",
                d.id,
                len.segments,
                keepwarm_domain::lint::replies::encoding_name(len.encoding)
            ));
        }
    }
    if let Some(d) = &c.report_delivery {
        lines.push(format!(
            "weekly audit e-mail: {}",
            keepwarm_engine::audit::describe_schedule(d)
        ));
    }
    lines
}

/// What `keepwarm check` would report, for the workspace's settings page: the configuration's
/// warnings, the channels missing their credentials (unless everything goes to the sandbox), and
/// the notes.
pub fn check_findings(
    checked: &keepwarm_domain::config::Checked,
    env: &channels::ChannelEnv,
    sandbox_only: bool,
) -> Vec<keepwarm_server::pages::settings::Finding> {
    use keepwarm_server::pages::settings::{Finding, Severity};
    let missing = if sandbox_only {
        Vec::new()
    } else {
        channels::missing(&checked.config, env)
    };
    let finding = |severity, text: String| Finding { severity, text };
    missing
        .iter()
        .map(|m| finding(Severity::Error, m.to_string()))
        .chain(
            checked
                .warnings
                .iter()
                .map(|w| finding(Severity::Warning, w.to_string())),
        )
        .chain(
            check_notes(&checked.config)
                .into_iter()
                .map(|n| finding(Severity::Note, n)),
        )
        .collect()
}

/// Loads and validates the configuration, printing warnings; on errors prints them all and returns
/// the exit code to use.
pub fn load(dir: Option<&Path>) -> Result<Checked, ExitCode> {
    let result = match dir {
        Some(dir) => load_config_dir(dir),
        None => load_starter(),
    };
    match result {
        Ok(checked) => {
            if let Some(text) = &checked.config.reply_phrases {
                if let Err(e) = keepwarm_classify::Classifier::default_with_overrides(text) {
                    eprintln!("error: replies.toml: {e}");
                    return Err(ExitCode::from(BAD_INPUT));
                }
            }
            for w in &checked.warnings {
                eprintln!("warning: {w}");
            }
            Ok(checked)
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            eprintln!("{} error(s) in the configuration", errors.len());
            Err(ExitCode::from(BAD_INPUT))
        }
    }
}

/// Opens an existing database and builds an engine with the sandbox channel (reading commands).
pub async fn open_engine(
    config: Config,
    db: &str,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Arc<Engine>> {
    engine_on(config, open_store(db).await?, clock).await
}

/// As [`open_engine`], on the clock of the server that runs on this database: the manual clock it
/// recorded (`serve --clock manual:…`, as moved since), else the system clock. Commands that act
/// beside a running server (`keepwarm reply`, `keepwarm tasks --overdue`) judge contact windows, due
/// times and "overdue" by the server's time, and what they queue is due when the server thinks
/// it is.
pub async fn open_engine_on_server_clock(config: Config, db: &str) -> anyhow::Result<Arc<Engine>> {
    let store = open_store(db).await?;
    let clock: Arc<dyn Clock> = match store
        .engine_clock()
        .await
        .context("reading the server's clock")?
    {
        Some(at) => Arc::new(keepwarm_engine::ManualClock::new(at)),
        None => Arc::new(keepwarm_engine::SystemClock),
    };
    engine_on(config, store, clock).await
}

/// As [`open_engine`], creating the database when its file is missing (`ingest`, `bench`).
pub async fn create_engine(
    config: Config,
    db: &str,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Arc<Engine>> {
    engine_on(config, create_store(db).await?, clock).await
}

async fn engine_on(
    config: Config,
    store: SharedStore,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Arc<Engine>> {
    let channel = Arc::new(SandboxChannel::new(keepwarm_engine::sandbox_outbox(
        &store,
    )?));
    Engine::new(config, store, channel, clock)
        .await
        .context("starting the engine")
}

/// Opens the existing database the URL names; a missing file is an error.
pub async fn open_store(db: &str) -> anyhow::Result<SharedStore> {
    connect(db, Opening::Existing).await
}

/// Opens the database the URL names, creating it when its file is missing (`serve`, `ingest`).
pub async fn create_store(db: &str) -> anyhow::Result<SharedStore> {
    connect(db, Opening::CreateIfMissing).await
}

async fn connect(db: &str, opening: Opening) -> anyhow::Result<SharedStore> {
    database::check(db, opening)?;
    match keepwarm_store::connect(db).await {
        Ok(store) => Ok(store),
        // Already one line naming the database (password masked).
        Err(e @ keepwarm_store::StoreError::Connect { .. }) => Err(e.into()),
        Err(e) => Err(e).with_context(|| format!("opening database {}", database::redact(db))),
    }
}
