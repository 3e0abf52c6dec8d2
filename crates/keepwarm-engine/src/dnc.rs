//! The National Do Not Call list: importing the registry's download (streamed, all or nothing) and
//! the dispatcher's question "which of these numbers may not get automated calls and texts" (and
//! `compliance explain`'s "why").
//! What a line may hold and what makes a relationship is [`keepwarm_domain::compliance::dnc`]'s.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::sync::Arc;

use jiff::civil::Date;
use jiff::Timestamp;
use keepwarm_domain::compliance::dnc::{parse_line, stale, standing, Relationship, Standing};
use keepwarm_domain::timeline::TimelineEvent;
use keepwarm_domain::{PhoneNumber, Stage};
use keepwarm_store::{ClaimedTouch, DncImportRow, NewDncImport};
use serde::Serialize;

use crate::lead_facts::LeadFacts;
use crate::{Engine, EngineError, Result};

/// Numbers written per store call during an import.
const CHUNK: usize = 50_000;
/// The most lines one import reads (the whole US registry is about 250 million numbers).
pub const MAX_LINES: u64 = 300_000_000;

/// The do-not-call list in force, for `keepwarm dnc status` and the dashboard.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DncStatus {
    /// The list in force, if one was imported.
    pub import: Option<DncImportRow>,
    /// The registry copy is older than 31 days (or none was imported): refresh it.
    pub stale: bool,
}

impl Engine {
    /// Imports a registry download dated `registry_date` from `reader`, replacing the list in force
    /// only when every line was read: a bad line (named by its number) or a read error leaves the
    /// old list whole. `progress` is called with the lines read so far every million lines.
    pub async fn import_dnc(
        &self,
        reader: impl BufRead,
        source: &str,
        registry_date: Date,
        mut progress: impl FnMut(u64),
    ) -> Result<DncImportRow> {
        let now = self.now();
        let today = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        if registry_date > today {
            return Err(EngineError::field(
                "date",
                format!("{registry_date} is in the future"),
            ));
        }
        let store = self.store();
        let import = store
            .start_dnc_import(&NewDncImport {
                registry_date,
                source: source.to_owned(),
                at: now,
            })
            .await?;
        match self.read_dnc(import, reader, &mut progress).await {
            Ok(()) => {
                store.finish_dnc_import(import).await?;
                self.dnc_status()
                    .await?
                    .import
                    .ok_or_else(|| EngineError::Inconsistent("the import vanished".into()))
            }
            Err(e) => {
                store.abandon_dnc_import(import).await?;
                Err(e)
            }
        }
    }

    async fn read_dnc(
        &self,
        import: i64,
        reader: impl BufRead,
        progress: &mut impl FnMut(u64),
    ) -> Result<()> {
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut lines = 0u64;
        for line in reader.split(b'\n') {
            lines += 1;
            let line =
                line.map_err(|e| EngineError::field("file", format!("line {lines}: {e}")))?;
            if lines > MAX_LINES {
                return Err(EngineError::field(
                    "file",
                    format!("more than {MAX_LINES} lines"),
                ));
            }
            let text = std::str::from_utf8(&line)
                .map_err(|_| EngineError::field("file", format!("line {lines}: not UTF-8 text")))?;
            match parse_line(text) {
                Ok(Some(n)) => chunk.push(n),
                Ok(None) => {}
                Err(e) => return Err(EngineError::field("file", format!("line {lines}: {e}"))),
            }
            if chunk.len() == CHUNK {
                self.store().add_dnc_numbers(import, &chunk).await?;
                chunk.clear();
            }
            if lines % 1_000_000 == 0 {
                progress(lines);
            }
        }
        if !chunk.is_empty() {
            self.store().add_dnc_numbers(import, &chunk).await?;
        }
        progress(lines);
        Ok(())
    }

    /// The list in force and whether it is stale.
    pub async fn dnc_status(&self) -> Result<DncStatus> {
        let import = self.store().dnc_import().await?;
        let today = self.now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        Ok(DncStatus {
            stale: import
                .as_ref()
                .is_none_or(|i| stale(i.registry_date, today)),
            import,
        })
    }

    /// For each claimed lead whose number is on the list with no established business
    /// relationship (no purchase within 18 months — the lead's `purchased_at` or a sale recorded
    /// in keepwarm on any lead with the number — and no inquiry within 3), why its automated calls
    /// and texts are skipped. Written consent is the machine's to weigh
    /// ([`keepwarm_domain::machine::touch_due`]): it lets such a touch through.
    pub(crate) async fn do_not_call(
        &self,
        claimed: &[(Arc<ClaimedTouch>, Arc<LeadFacts>)],
        now: Timestamp,
    ) -> Result<HashMap<i64, String>> {
        let relationship = |c: &ClaimedTouch, f: &LeadFacts, listed: bool| Relationship {
            listed,
            written: false,
            inquiry: c.lead.received_at,
            purchase: f.input.as_ref().ok().and_then(|i| i.purchased_at),
        };
        // Only numbers a listing could hold are looked up.
        let phones: Vec<String> = claimed
            .iter()
            .filter(|(c, _)| c.touch.channel.needs_phone())
            .filter_map(|(c, f)| {
                let phone = f.phone.as_ref()?;
                let held = !standing(&relationship(c, f, true), "", now).allows();
                held.then(|| phone.as_str().to_owned())
            })
            .collect();
        if phones.is_empty() {
            return Ok(HashMap::new());
        }
        let listed: HashSet<String> = self.store().dnc_listed(&phones).await?;
        let mut held = HashMap::new();
        for (c, f) in claimed {
            let Some(phone) = f.phone.as_ref() else {
                continue;
            };
            let mut r = relationship(c, f, listed.contains(phone.as_str()));
            if standing(&r, "", now).allows() {
                continue;
            }
            // Rare (a listed number with nothing else): the sales keepwarm recorded are read now.
            r.purchase = r.purchase.max(self.recorded_purchase(phone).await?);
            if let Standing::Held { reason } = standing(&r, &phone.national(), now) {
                held.insert(c.touch.id, reason);
            }
        }
        Ok(held)
    }

    /// When the customer with `phone` last bought, as keepwarm recorded it: the latest move to
    /// `sold` (its reported time) on any lead with the number that is still sold.
    pub(crate) async fn recorded_purchase(&self, phone: &PhoneNumber) -> Result<Option<Timestamp>> {
        let mut latest = None;
        for (lead, stage) in self.store().lead_stages_with_phone(phone).await? {
            if stage != Stage::Sold {
                continue;
            }
            for entry in self.store().timeline(lead).await? {
                if let TimelineEvent::StageChanged(change) = &entry.event {
                    if change.to == Stage::Sold {
                        latest = latest.max(Some(change.at.unwrap_or(entry.at)));
                    }
                }
            }
        }
        Ok(latest)
    }

    /// Where a touch's phone number stands with the list in force, for `compliance explain`.
    pub(crate) async fn dnc_standing(
        &self,
        phone: &PhoneNumber,
        written: bool,
        inquiry: Timestamp,
        purchase: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<Standing> {
        let listed = self
            .store()
            .dnc_listed(&[phone.as_str().to_owned()])
            .await?
            .contains(phone.as_str());
        let r = Relationship {
            listed,
            written,
            inquiry,
            purchase: purchase.max(self.recorded_purchase(phone).await?),
        };
        Ok(standing(&r, &phone.national(), now))
    }
}
