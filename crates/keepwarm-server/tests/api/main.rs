//! Black-box tests of the HTTP API: a real server on a free port, a fresh database, the sandbox
//! channel and a manual clock.

mod cadence;
mod follow_up;
mod helpers;
mod intake;
mod restart;
