//! The processes of the chaos test: two `keepwarm serve --no-worker` and three `keepwarm worker` on
//! one database, each killed with SIGKILL and started again on demand. The HTTP processes'
//! addresses are shared with the drivers, which send only to a process that is up.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use keepwarm_twilio::fake::{FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN};

use crate::roles::Worker;
use crate::server::{Rng, Server};

const HTTP_PROCESSES: usize = 2;
const WORKERS: usize = 3;
/// Short leases, so a killed worker's claims come back within seconds (the batches here take
/// milliseconds).
const LEASE: &str = "5s";

/// The addresses (`http://IP:PORT`) of the HTTP processes that are up.
#[derive(Clone, Default)]
pub struct HttpAddresses(Arc<Mutex<Vec<Option<String>>>>);

impl HttpAddresses {
    /// A random live address, if any is up.
    pub fn pick(&self, rng: &mut Rng) -> Option<String> {
        let live: Vec<String> = self.0.lock().unwrap().iter().flatten().cloned().collect();
        if live.is_empty() {
            return None;
        }
        Some(live[rng.below(live.len() as u64) as usize].clone())
    }

    fn set(&self, slot: usize, address: Option<String>) {
        let mut all = self.0.lock().unwrap();
        if all.len() <= slot {
            all.resize(slot + 1, None);
        }
        all[slot] = address;
    }
}

enum Process {
    Http(Server),
    Worker(Worker),
}

/// The five processes.
pub struct Fleet {
    db: String,
    config: PathBuf,
    public_url: String,
    slots: Vec<Option<Process>>,
    addresses: HttpAddresses,
    kills: BTreeMap<&'static str, usize>,
}

impl Fleet {
    /// A fleet on `db` with the configuration in `config`; nothing started yet.
    pub fn new(db: &str, config: &Path, public_url: &str) -> Fleet {
        Fleet {
            db: db.to_owned(),
            config: config.to_owned(),
            public_url: public_url.to_owned(),
            slots: (0..HTTP_PROCESSES + WORKERS).map(|_| None).collect(),
            addresses: HttpAddresses::default(),
            kills: BTreeMap::new(),
        }
    }

    /// How many processes the fleet has.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// The shared list of the HTTP processes' addresses.
    pub fn addresses(&self) -> HttpAddresses {
        self.addresses.clone()
    }

    /// How many processes of each role (`http`, `worker`) were killed.
    pub fn kills(&self) -> BTreeMap<&'static str, usize> {
        self.kills.clone()
    }

    /// Starts every process (the first start applies the migrations).
    pub fn start_all(&mut self) {
        for slot in 0..self.slots.len() {
            self.start(slot);
        }
    }

    fn start(&mut self, slot: usize) {
        let config = self.config.to_str().unwrap();
        let env = [
            ("KEEPWARM_TWILIO_ACCOUNT_SID", FAKE_ACCOUNT_SID),
            ("KEEPWARM_TWILIO_AUTH_TOKEN", FAKE_AUTH_TOKEN),
            ("KEEPWARM_PUBLIC_URL", self.public_url.as_str()),
        ];
        let process = if slot < HTTP_PROCESSES {
            let server = Server::start_args(
                &self.db,
                &["--no-worker", "--config", config, "--lease", LEASE],
                &env,
            );
            self.addresses.set(slot, Some(server.address.clone()));
            Process::Http(server)
        } else {
            Process::Worker(Worker::start(
                &self.db,
                &["--config", config, "--lease", LEASE],
                &env,
            ))
        };
        self.slots[slot] = Some(process);
    }

    /// SIGKILL to the process in `slot`, then starts it again.
    pub fn kill_and_restart(&mut self, slot: usize) {
        match self.slots[slot].take() {
            Some(Process::Http(server)) => {
                self.addresses.set(slot, None);
                server.kill();
                *self.kills.entry("http").or_default() += 1;
            }
            Some(Process::Worker(worker)) => {
                worker.kill();
                *self.kills.entry("worker").or_default() += 1;
            }
            None => {}
        }
        self.start(slot);
    }

    /// Kills every process (the end of the test).
    pub fn kill_all(&mut self) {
        for slot in 0..self.slots.len() {
            match self.slots[slot].take() {
                Some(Process::Http(server)) => server.kill(),
                Some(Process::Worker(worker)) => worker.kill(),
                None => {}
            }
        }
    }
}
