//! Integration tests for `keepwarm-adf`: the shared corpus, one fixture per
//! leniency, the safety rules, and properties over arbitrary input.

mod corpus;
mod helpers;
mod properties;
mod quirks;
mod safety;
