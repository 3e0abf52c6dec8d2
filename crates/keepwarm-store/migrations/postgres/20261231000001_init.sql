-- keepwarm's PostgreSQL schema: the same tables and columns as the SQLite migrations add up to
-- (crates/keepwarm-store/migrations/sqlite), in PostgreSQL's own types.
--
-- Instants are `bigint` milliseconds since the Unix epoch (UTC), as on SQLite: one encoding for
-- both backends, exact to the millisecond the domain works in, compared and indexed as integers.
-- (`to_timestamp(due_at / 1000.0)` shows one as a timestamptz when reading by hand.)
-- Ids are `bigint generated always as identity`; JSON is `jsonb`; flags are `boolean`; document
-- bodies are `bytea`. Work that is pending has a partial index on the column its claim orders by.

CREATE TABLE cadence_versions (
    name       text   NOT NULL,
    version    text   NOT NULL,
    label      text,
    snapshot   jsonb  NOT NULL,  -- steps and block texts
    created_at bigint NOT NULL,
    PRIMARY KEY (name, version)
);

CREATE TABLE routing_cursors (
    team       text PRIMARY KEY,
    last_owner text NOT NULL
);

CREATE TABLE leads (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dealership       text    NOT NULL,
    received_at      bigint  NOT NULL,
    created_at       bigint  NOT NULL,
    source_kind      text    NOT NULL,
    provider         text,
    provider_lead_id text,
    display_name     text,
    payload          jsonb   NOT NULL,  -- the normalized lead document
    segment          text    NOT NULL,
    segment_rule     text    NOT NULL,
    owner_id         text    NOT NULL,
    stage            text    NOT NULL DEFAULT 'new',
    status           text    NOT NULL,
    stop_reason      text,
    opted_out        boolean NOT NULL DEFAULT false,
    last_inquiry_at  bigint
);
CREATE INDEX leads_owner ON leads (owner_id);
CREATE INDEX leads_created ON leads (created_at);

CREATE TABLE lead_contacts (
    lead_id  bigint  NOT NULL REFERENCES leads (id),
    position bigint  NOT NULL,
    kind     text    NOT NULL,  -- phone | email
    value    text    NOT NULL,  -- E.164 / address when usable, raw text when not
    usable   boolean NOT NULL,
    reason   text,
    PRIMARY KEY (lead_id, kind, position)
);
CREATE INDEX lead_contacts_value ON lead_contacts (kind, value) WHERE usable;
CREATE INDEX lead_contacts_lower_value ON lead_contacts (kind, lower(value)) WHERE usable;

CREATE TABLE enrollments (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lead_id         bigint NOT NULL REFERENCES leads (id),
    cadence_name    text   NOT NULL,
    cadence_version text   NOT NULL,
    anchor_at       bigint NOT NULL,
    status          text   NOT NULL,  -- active | paused | stopped | completed
    started_at      bigint NOT NULL,
    ended_at        bigint,
    end_reason      text,
    FOREIGN KEY (cadence_name, cadence_version) REFERENCES cadence_versions (name, version)
);
CREATE INDEX enrollments_lead ON enrollments (lead_id);

CREATE TABLE touches (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enrollment_id   bigint NOT NULL REFERENCES enrollments (id),
    lead_id         bigint NOT NULL REFERENCES leads (id),
    step_index      bigint NOT NULL,
    channel         text   NOT NULL,
    block           text   NOT NULL,
    target_at       bigint NOT NULL,
    due_at          bigint NOT NULL,
    state           text   NOT NULL,  -- scheduled | held | sending | sent | failed | skipped | cancelled
    claimed_at      bigint,
    finished_at     bigint,
    variant         bigint,
    recipient       text,
    body            text,
    detail          text,
    provider_id     text,
    delivery_status text,
    delivery_error  text,
    delivery_at     bigint,
    lease_owner     text,
    lease_until     bigint,
    UNIQUE (enrollment_id, step_index)
);
-- The claim's queue: only scheduled touches, in due order; a big future backlog costs nothing
-- to the claim beyond this index's depth.
CREATE INDEX touches_scheduled ON touches (due_at, id) WHERE state = 'scheduled';
CREATE INDEX touches_sending ON touches (lease_until) WHERE state = 'sending';
CREATE INDEX touches_lead ON touches (lead_id, block);
CREATE INDEX touches_provider ON touches (provider_id) WHERE provider_id IS NOT NULL;

CREATE TABLE tasks (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lead_id      bigint NOT NULL REFERENCES leads (id),
    owner_id     text   NOT NULL,
    kind         text   NOT NULL,  -- call | fix_contact | reply
    touch_id     bigint UNIQUE,
    due_at       bigint NOT NULL,
    status       text   NOT NULL,  -- open | done
    body         text   NOT NULL,
    created_at   bigint NOT NULL,
    completed_at bigint,
    outcome      text,
    note         text,
    completed_by text
);
CREATE INDEX tasks_owner ON tasks (owner_id, status);
CREATE INDEX tasks_due ON tasks (status, due_at);
CREATE INDEX tasks_lead ON tasks (lead_id);

CREATE TABLE events (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lead_id bigint NOT NULL,
    at      bigint NOT NULL,
    kind    text   NOT NULL,
    data    jsonb  NOT NULL
);
CREATE INDEX events_lead ON events (lead_id, id);
CREATE INDEX events_customer_waiting ON events (lead_id, at) WHERE kind = 'customer_waiting';

CREATE TABLE inbound_documents (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at  bigint NOT NULL,
    channel      text   NOT NULL,  -- api_adf | email | cli_xml | cli_eml | cli_csv | cli_json
    content_type text,
    sha256       text   NOT NULL,
    size         bigint NOT NULL,
    body         bytea  NOT NULL,
    status       text   NOT NULL,  -- received | parsed | partial | failed | unrecognized
    detail       text,
    leads        bigint NOT NULL DEFAULT 0,
    purged_at    bigint
);
CREATE INDEX inbound_documents_status ON inbound_documents (status, id);
CREATE INDEX inbound_documents_received ON inbound_documents (received_at) WHERE purged_at IS NULL;

CREATE TABLE lead_documents (
    lead_id     bigint NOT NULL REFERENCES leads (id),
    document_id bigint NOT NULL REFERENCES inbound_documents (id),
    PRIMARY KEY (lead_id, document_id)
);
CREATE INDEX lead_documents_document ON lead_documents (document_id);

CREATE TABLE import_rows (
    row_key     text PRIMARY KEY,
    lead_id     bigint,
    imported_at bigint NOT NULL
);

CREATE TABLE inbound_messages (
    provider_id text PRIMARY KEY,
    lead_id     bigint NOT NULL REFERENCES leads (id),
    received_at bigint NOT NULL
);

CREATE TABLE consent_ledger (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contact     text   NOT NULL,  -- E.164 number or lower-cased e-mail address
    channel     text   NOT NULL,  -- all | sms | call | email
    revoked_at  bigint NOT NULL,
    words       text   NOT NULL,  -- what the customer said
    via         text   NOT NULL,  -- sms reply, api, carrier error, ...
    restored_at bigint,
    restored_by text
);
CREATE INDEX consent_ledger_contact ON consent_ledger (contact) WHERE restored_at IS NULL;

CREATE TABLE escalations (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lead_id          bigint NOT NULL REFERENCES leads (id),
    intents          jsonb  NOT NULL,  -- array of labels
    context          jsonb  NOT NULL,  -- the reply, recent messages, vehicle, trade, payment, segment, owner
    created_at       bigint NOT NULL,
    sla_due_at       bigint NOT NULL,
    assignee_id      text   NOT NULL,
    level            bigint NOT NULL DEFAULT 0,
    status           text   NOT NULL,  -- open | breached | acknowledged | closed
    next_deadline_at bigint,           -- NULL once acknowledged or at the end of the chain
    breached_at      bigint,
    acknowledged_at  bigint,
    acknowledged_by  text,
    short_code       text   NOT NULL,
    notified         jsonb  NOT NULL DEFAULT '[]',  -- staff ids, in order
    closed_at        bigint,
    closed_reason    text
);
CREATE INDEX escalations_deadline ON escalations (next_deadline_at) WHERE next_deadline_at IS NOT NULL;
CREATE INDEX escalations_status ON escalations (status, id);
CREATE INDEX escalations_code ON escalations (short_code, status);
CREATE INDEX escalations_lead ON escalations (lead_id, status);

CREATE TABLE follow_up_timers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lead_id     bigint NOT NULL REFERENCES leads (id),
    kind        text   NOT NULL,  -- resume_after_silence | nurture | going_cold | no_show
    due_at      bigint NOT NULL,
    created_at  bigint NOT NULL,
    fired_at    bigint,
    claimed_by  text,
    lease_until bigint
);
CREATE INDEX follow_up_timers_pending ON follow_up_timers (due_at, id) WHERE fired_at IS NULL;

CREATE TABLE appointments (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lead_id    bigint NOT NULL REFERENCES leads (id),
    kind       text   NOT NULL,  -- sales | service
    starts_at  bigint NOT NULL,
    ends_at    bigint NOT NULL,
    status     text   NOT NULL,  -- scheduled | confirmed | reschedule_requested | showed | no_show | cancelled
    sequence   bigint NOT NULL DEFAULT 0,
    set_by     text   NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);
CREATE INDEX appointments_lead ON appointments (lead_id, id);
CREATE INDEX appointments_starts ON appointments (starts_at);
CREATE UNIQUE INDEX appointments_open ON appointments (lead_id)
    WHERE status IN ('scheduled', 'confirmed', 'reschedule_requested');

CREATE TABLE report_deliveries (
    dealership text   NOT NULL,
    week       text   NOT NULL,  -- 2026-W47
    recipient  text   NOT NULL,  -- staff id
    claimed_at bigint NOT NULL,
    status     text   NOT NULL,  -- sending | sent | failed
    detail     text,
    PRIMARY KEY (dealership, week, recipient)
);

CREATE TABLE service_keys (
    name       text   PRIMARY KEY,
    value      text   NOT NULL,
    created_at bigint NOT NULL
);

CREATE TABLE outbound_messages (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lead_id        bigint,
    purpose        text   NOT NULL,  -- staff_alert | opt_out_confirmation | manager_alert | weekly_report | ...
    channel        text   NOT NULL,  -- sms | email
    recipient_kind text   NOT NULL,  -- customer | staff
    recipient      text   NOT NULL,  -- E.164 number or e-mail address
    subject        text,
    body           text   NOT NULL,
    attachments    jsonb  NOT NULL DEFAULT '[]',
    dealership     text   NOT NULL,
    dedupe_key     text   UNIQUE,    -- at most one message per key, ever
    on_sent        jsonb,            -- {kind, data}: the timeline event recorded once sent
    on_failed      jsonb,            -- {kind, data}: the timeline event recorded if refused
    state          text   NOT NULL DEFAULT 'queued',  -- queued | sending | sent | failed
    due_at         bigint NOT NULL,
    attempts       bigint NOT NULL DEFAULT 0,
    lease_owner    text,
    lease_until    bigint,
    claimed_at     bigint,
    created_at     bigint NOT NULL,
    finished_at    bigint,
    provider_id    text,
    detail         text,
    sender_name    text,
    reply_to       text
);
CREATE INDEX outbound_queued ON outbound_messages (due_at, id) WHERE state = 'queued';
CREATE INDEX outbound_sending ON outbound_messages (lease_until) WHERE state = 'sending';
CREATE INDEX outbound_lead ON outbound_messages (lead_id);
CREATE INDEX outbound_provider ON outbound_messages (provider_id) WHERE provider_id IS NOT NULL;

CREATE TABLE outbox (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    touch_id       bigint UNIQUE,
    lead_id        bigint,
    at             bigint NOT NULL,
    channel        text   NOT NULL,
    recipient_kind text   NOT NULL,  -- customer | staff
    recipient      text   NOT NULL,
    subject        text,
    body           text   NOT NULL,
    attachments    jsonb  NOT NULL DEFAULT '[]',  -- [{filename, content_type, content}]
    outbound_id    bigint UNIQUE
);
CREATE INDEX outbox_lead ON outbox (lead_id);

CREATE TABLE staff_tokens (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    staff_id   text   NOT NULL,
    name       text   NOT NULL,         -- what the holder calls it: laptop, phone
    token_hash text   NOT NULL UNIQUE,  -- lower-case hex SHA-256 of the token
    created_at bigint NOT NULL,
    revoked_at bigint
);
CREATE INDEX staff_tokens_staff ON staff_tokens (staff_id);

CREATE TABLE staff_passwords (
    staff_id text   PRIMARY KEY,
    hash     text   NOT NULL,  -- argon2id PHC string
    set_at   bigint NOT NULL
);

CREATE TABLE web_sessions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash   text   NOT NULL UNIQUE,  -- lower-case hex SHA-256 of the cookie's token
    staff_id     text   NOT NULL,
    csrf_token   text   NOT NULL,
    created_at   bigint NOT NULL,
    last_seen_at bigint NOT NULL,
    ended_at     bigint
);
CREATE INDEX web_sessions_staff ON web_sessions (staff_id);

CREATE TABLE erasures (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at     bigint NOT NULL,
    by     text   NOT NULL,
    kind   text   NOT NULL,  -- phone | email: what the request named
    counts jsonb  NOT NULL   -- {"leads": 2, "events": 31, ...}
);

CREATE TABLE suppressed_contacts (
    hash            text   PRIMARY KEY,
    kind            text   NOT NULL,  -- phone | email
    erasure_id      bigint NOT NULL,
    created_at      bigint NOT NULL,
    refused         bigint NOT NULL DEFAULT 0,  -- inquiries and sends refused since
    last_refused_at bigint
);

CREATE TABLE held_inquiries (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    held_at     bigint  NOT NULL,
    source_key  text    NOT NULL,
    reason      text    NOT NULL,
    document_id bigint,
    resend      boolean NOT NULL DEFAULT false,
    lead        jsonb   NOT NULL,  -- the validated lead document
    contacts    jsonb   NOT NULL,  -- its normalized contacts, for export and erasure
    released_at bigint,
    released_by text,
    lead_id     bigint             -- the lead it became or merged into once released
);
CREATE INDEX held_inquiries_open ON held_inquiries (id) WHERE released_at IS NULL;

CREATE TABLE intake_quota (
    source_key text   NOT NULL,  -- provider:cars.com | sender:leads@cars.com
    hour       bigint NOT NULL,  -- hours since the Unix epoch
    admitted   bigint NOT NULL DEFAULT 0,
    held       bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (source_key, hour)
);

CREATE TABLE inventory (
    dealership  text    NOT NULL,
    key         text    NOT NULL,
    available   boolean NOT NULL,
    imported_at bigint  NOT NULL,
    PRIMARY KEY (dealership, key)
);
