//! The built-in starter configuration: what `keepwarm init` writes and what `keepwarm serve` runs
//! with when no `--config` is given. The files live in `crates/keepwarm-domain/starter/`.

/// Every starter file as `(relative path, text)`.
pub const FILES: &[(&str, &str)] = &[
    ("settings.toml", include_str!("../../starter/settings.toml")),
    (
        "dealerships.toml",
        include_str!("../../starter/dealerships.toml"),
    ),
    ("staff.toml", include_str!("../../starter/staff.toml")),
    ("routing.toml", include_str!("../../starter/routing.toml")),
    ("segments.toml", include_str!("../../starter/segments.toml")),
    ("blocks.toml", include_str!("../../starter/blocks.toml")),
    ("channels.toml", include_str!("../../starter/channels.toml")),
    (
        "cadences/new_inquiry.toml",
        include_str!("../../starter/cadences/new_inquiry.toml"),
    ),
    (
        "cadences/unsold_showroom.toml",
        include_str!("../../starter/cadences/unsold_showroom.toml"),
    ),
    (
        "cadences/aged_internet.toml",
        include_str!("../../starter/cadences/aged_internet.toml"),
    ),
    (
        "cadences/service_defection.toml",
        include_str!("../../starter/cadences/service_defection.toml"),
    ),
    (
        "cadences/long_term_nurture.toml",
        include_str!("../../starter/cadences/long_term_nurture.toml"),
    ),
    (
        "cadences/appointment_reminders.toml",
        include_str!("../../starter/cadences/appointment_reminders.toml"),
    ),
    (
        "cadences/no_show_recovery.toml",
        include_str!("../../starter/cadences/no_show_recovery.toml"),
    ),
];

/// The starter files as owned `(path, text)` pairs, the form [`super::load_config`] takes.
pub fn files() -> Vec<(String, String)> {
    FILES
        .iter()
        .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
        .collect()
}
