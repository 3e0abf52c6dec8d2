//! Tests of the `keepwarm` binary itself: commands, exit codes, and surviving `kill -9`.

mod commands;
mod crash;
mod server;
