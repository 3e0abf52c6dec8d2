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

impl Process {
    fn kill(self) {
        match self {
            Process::Http(server) => server.kill(),
            Process::Worker(worker) => worker.kill(),
        }
    }
}

/// How to start each process.
struct Spec {
    db: String,
    config: PathBuf,
    public_url: String,
}

impl Spec {
    /// Starts the process of `slot` (HTTP for the first slots, workers after) and lists an HTTP
    /// process's address once it listens.
    fn start(&self, slot: usize, addresses: &HttpAddresses) -> Process {
        let config = self.config.to_str().unwrap();
        let env = [
            ("KEEPWARM_TWILIO_ACCOUNT_SID", FAKE_ACCOUNT_SID),
            ("KEEPWARM_TWILIO_AUTH_TOKEN", FAKE_AUTH_TOKEN),
            ("KEEPWARM_PUBLIC_URL", self.public_url.as_str()),
        ];
        if slot < HTTP_PROCESSES {
            let server = Server::start_args(
                &self.db,
                &["--no-worker", "--config", config, "--lease", LEASE],
                &env,
            );
            addresses.set(slot, Some(server.address.clone()));
            Process::Http(server)
        } else {
            Process::Worker(Worker::start(
                &self.db,
                &["--config", config, "--lease", LEASE],
                &env,
            ))
        }
    }
}

/// The five processes. A killed process is started again in the background, so kills keep their
/// pace however long a start takes on a busy machine; a process still starting is not killed.
pub struct Fleet {
    spec: Arc<Spec>,
    slots: Arc<Mutex<Vec<Option<Process>>>>,
    starting: Vec<std::thread::JoinHandle<()>>,
    addresses: HttpAddresses,
    kills: BTreeMap<&'static str, usize>,
    start_times: Arc<Mutex<Vec<std::time::Duration>>>,
}

impl Fleet {
    /// A fleet on `db` with the configuration in `config`; nothing started yet.
    pub fn new(db: &str, config: &Path, public_url: &str) -> Fleet {
        Fleet {
            spec: Arc::new(Spec {
                db: db.to_owned(),
                config: config.to_owned(),
                public_url: public_url.to_owned(),
            }),
            slots: Arc::new(Mutex::new(
                (0..HTTP_PROCESSES + WORKERS).map(|_| None).collect(),
            )),
            starting: Vec::new(),
            addresses: HttpAddresses::default(),
            kills: BTreeMap::new(),
            start_times: Arc::default(),
        }
    }

    /// The shared list of the HTTP processes' addresses.
    pub fn addresses(&self) -> HttpAddresses {
        self.addresses.clone()
    }

    /// How many processes of each role (`http`, `worker`) were killed.
    pub fn kills(&self) -> BTreeMap<&'static str, usize> {
        self.kills.clone()
    }

    /// How long the restarts took: the mean and the longest.
    pub fn start_times(&self) -> (std::time::Duration, std::time::Duration) {
        let times = self.start_times.lock().unwrap();
        let total: std::time::Duration = times.iter().sum();
        let mean = total / u32::try_from(times.len().max(1)).unwrap_or(u32::MAX);
        (mean, times.iter().max().copied().unwrap_or_default())
    }

    /// Starts every process, one after another (the first start applies the migrations).
    pub fn start_all(&mut self) {
        for slot in 0..HTTP_PROCESSES + WORKERS {
            let process = self.spec.start(slot, &self.addresses);
            self.slots.lock().unwrap()[slot] = Some(process);
        }
    }

    /// SIGKILL to a random process that is up, and a new one started in its place in the
    /// background. Returns its role (`http` or `worker`), or `None` when every process is still
    /// starting.
    pub fn kill_one(&mut self, rng: &mut Rng) -> Option<&'static str> {
        let (slot, process) = {
            let mut slots = self.slots.lock().unwrap();
            // The last HTTP process up is spared (a load balancer keeps one backend), so leads and
            // replies keep arriving; any worker may go, all of them at once included.
            let http_up = (0..HTTP_PROCESSES).filter(|i| slots[*i].is_some()).count();
            let up: Vec<usize> = (0..slots.len())
                .filter(|i| slots[*i].is_some() && (*i >= HTTP_PROCESSES || http_up > 1))
                .collect();
            if up.is_empty() {
                return None;
            }
            let slot = up[rng.below(up.len() as u64) as usize];
            (slot, slots[slot].take()?)
        };
        let role = match &process {
            Process::Http(_) => "http",
            Process::Worker(_) => "worker",
        };
        // An HTTP process is killed while still listed: requests in flight and a few new ones meet
        // the dead process and are sent again to the other one.
        process.kill();
        self.addresses.set(slot, None);
        *self.kills.entry(role).or_default() += 1;
        let (spec, slots, addresses) = (
            Arc::clone(&self.spec),
            Arc::clone(&self.slots),
            self.addresses.clone(),
        );
        let took = Arc::clone(&self.start_times);
        self.starting.push(std::thread::spawn(move || {
            let started = std::time::Instant::now();
            let process = spec.start(slot, &addresses);
            took.lock().unwrap().push(started.elapsed());
            slots.lock().unwrap()[slot] = Some(process);
        }));
        Some(role)
    }

    /// Waits until every process killed so far is up again.
    pub fn wait_all_up(&mut self) {
        for start in self.starting.drain(..) {
            start.join().expect("a killed process did not start again");
        }
    }

    /// Kills every process (the end of the test).
    pub fn kill_all(&mut self) {
        self.wait_all_up();
        for slot in self.slots.lock().unwrap().iter_mut() {
            if let Some(process) = slot.take() {
                process.kill();
            }
        }
    }
}
