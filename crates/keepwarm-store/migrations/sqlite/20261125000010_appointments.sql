-- Appointments: one row per booked visit. A reschedule moves the same row (its iCalendar UID stays,
-- its sequence grows); a lead has at most one open appointment.
CREATE TABLE appointments (
    id           INTEGER PRIMARY KEY,
    lead_id      INTEGER NOT NULL REFERENCES leads (id),
    kind         TEXT    NOT NULL,  -- sales | service
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL,
    status       TEXT    NOT NULL,  -- scheduled | confirmed | reschedule_requested | showed | no_show | cancelled
    sequence     INTEGER NOT NULL DEFAULT 0,
    set_by       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX appointments_lead ON appointments (lead_id, id);
CREATE INDEX appointments_starts ON appointments (starts_at);
CREATE UNIQUE INDEX appointments_open ON appointments (lead_id)
    WHERE status IN ('scheduled', 'confirmed', 'reschedule_requested');
