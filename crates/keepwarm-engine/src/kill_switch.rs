//! The kill switch's driver: flipping it (per dealership or for every dealership), reading the
//! switches in force for the dispatcher and the outbound queue, and releasing the touches held
//! meanwhile. What a switch holds is [`keepwarm_domain::compliance::kill_switch`]'s.

use keepwarm_domain::compliance::kill_switch::{checked_text, holding, Engaged, EVERY_DEALERSHIP};
use keepwarm_store::{KillSwitchRow, NewKillSwitch};
use serde::Serialize;

use crate::{Engine, EngineError, Result};

/// How many changes a status shows.
const HISTORY: u32 = 50;

/// A flip asked for.
#[derive(Debug, Clone)]
pub struct KillSwitchFlip<'a> {
    /// The dealership, or `None` for every dealership.
    pub dealership: Option<&'a str>,
    /// Engage (stop automated messages) or release.
    pub engaged: bool,
    /// Why.
    pub reason: &'a str,
    /// Who.
    pub by: &'a str,
}

/// A kill switch's state: its own, whether automated messages are held (by it or by every
/// dealership's), and its audit trail.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KillSwitchStatus {
    /// The dealership, or `*` for every dealership.
    pub scope: String,
    /// This switch is engaged.
    pub engaged: bool,
    /// Automated messages of the dealership are held now (by this switch or every dealership's).
    pub holding: bool,
    /// The hold's reason when `holding`.
    pub hold_reason: Option<String>,
    /// Touches put back on the queue by this change (only on a release).
    pub released_touches: u64,
    /// The changes of this switch, newest first (at most 50).
    pub history: Vec<KillSwitchRow>,
}

impl Engine {
    /// The kill switches engaged now.
    pub(crate) async fn engaged_switches(&self) -> Result<Vec<Engaged>> {
        let engaged = self
            .store()
            .kill_switches()
            .await?
            .into_iter()
            .filter(|r| r.engaged)
            .map(|r| Engaged {
                scope: r.scope,
                reason: r.reason,
                by: r.by,
                at: r.at,
            })
            .collect();
        #[cfg(feature = "testing")]
        self.switch_pause.wait().await;
        Ok(engaged)
    }

    /// A test seam: the next read of the kill switches (the dispatcher's, right after it claimed a
    /// batch, when the test makes a touch due and reads nothing else) returns what it read only
    /// once the test lets it go, so a switch can be engaged between the claim and the send.
    #[cfg(feature = "testing")]
    pub fn pause_after_next_switch_read(&self) -> SwitchReadPaused {
        let (reached_tx, reached) = tokio::sync::oneshot::channel();
        let (go, go_rx) = tokio::sync::oneshot::channel();
        *self.switch_pause.armed() = Some((reached_tx, go_rx));
        SwitchReadPaused { reached, go }
    }

    fn scope_of(&self, dealership: Option<&str>) -> Result<String> {
        match dealership {
            None => Ok(EVERY_DEALERSHIP.to_owned()),
            Some(d) if self.config().dealerships.iter().any(|x| x.id == d) => Ok(d.to_owned()),
            Some(d) => Err(EngineError::NotFound(format!("dealership {d}"))),
        }
    }

    /// Engages or releases a kill switch, attributed and kept on its audit trail. A release puts the
    /// touches it held back on the queue with their due times (so they go in order, each through
    /// the gate: windows and caps still hold), unless another engaged switch still holds them.
    pub async fn set_kill_switch(&self, flip: &KillSwitchFlip<'_>) -> Result<KillSwitchStatus> {
        let scope = self.scope_of(flip.dealership)?;
        let reason = checked_text(flip.reason).map_err(|m| EngineError::field("reason", m))?;
        let by = checked_text(flip.by).map_err(|m| EngineError::field("by", m))?;
        let engaged = self.engaged_switches().await?;
        let release: Vec<String> = if flip.engaged {
            Vec::new()
        } else {
            // Still held by another switch once this one is released: not released.
            let others: Vec<Engaged> = engaged.into_iter().filter(|e| e.scope != scope).collect();
            self.config()
                .dealerships
                .iter()
                .map(|d| d.id.clone())
                .filter(|d| scope == EVERY_DEALERSHIP || *d == scope)
                .filter(|d| holding(&others, d).is_none())
                .collect()
        };
        let change = NewKillSwitch {
            scope: scope.clone(),
            engaged: flip.engaged,
            reason: reason.clone(),
            by: by.clone(),
            at: self.now(),
        };
        let note = format!("kill switch released by {by}: {reason}; scheduled again");
        let released = self
            .store()
            .set_kill_switch(&change, &release, &note)
            .await?;
        tracing::warn!(
            scope = %scope,
            engaged = flip.engaged,
            by = %by,
            released,
            "kill switch changed"
        );
        if released > 0 {
            self.after_change().await?;
        }
        let mut status = self.kill_switch_status(flip.dealership).await?;
        status.released_touches = released;
        Ok(status)
    }

    /// A kill switch's state and audit trail (`None`: every dealership's).
    pub async fn kill_switch_status(&self, dealership: Option<&str>) -> Result<KillSwitchStatus> {
        let scope = self.scope_of(dealership)?;
        let engaged = self.engaged_switches().await?;
        let hold = match dealership {
            Some(d) => holding(&engaged, d),
            None => engaged.iter().find(|e| e.scope == EVERY_DEALERSHIP),
        };
        Ok(KillSwitchStatus {
            engaged: engaged.iter().any(|e| e.scope == scope),
            holding: hold.is_some(),
            hold_reason: hold.map(Engaged::hold_reason),
            released_touches: 0,
            history: self
                .store()
                .kill_switch_history(Some(&scope), HISTORY)
                .await?,
            scope,
        })
    }
}

/// Where the next read of the kill switches waits, when a test armed it.
#[cfg(feature = "testing")]
#[derive(Default)]
pub(crate) struct SwitchReadPause(std::sync::Mutex<Option<Armed>>);

/// Told when the read happened; waited on before it returns.
#[cfg(feature = "testing")]
type Armed = (
    tokio::sync::oneshot::Sender<()>,
    tokio::sync::oneshot::Receiver<()>,
);

#[cfg(feature = "testing")]
impl SwitchReadPause {
    fn armed(&self) -> std::sync::MutexGuard<'_, Option<Armed>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits for the test's go-ahead if it armed this pause (once), else returns at once.
    async fn wait(&self) {
        let armed = self.armed().take();
        if let Some((reached, go)) = armed {
            // The test dropping its end lets the read go too.
            let _ = reached.send(());
            let _ = go.await;
        }
    }
}

/// A read of the kill switches held by [`Engine::pause_after_next_switch_read`].
#[cfg(feature = "testing")]
pub struct SwitchReadPaused {
    /// Resolves once the read happened (it then waits for `go`).
    pub reached: tokio::sync::oneshot::Receiver<()>,
    /// Send (or drop) to let the read return what it read.
    pub go: tokio::sync::oneshot::Sender<()>,
}
