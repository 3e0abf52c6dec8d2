//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 description of every route.
//!
//! Written by hand from [`ROUTES`], the list the server tests walk to check that every documented
//! route answers and every route is documented.

use axum::Json;
use serde_json::{json, Map, Value};

/// One documented route.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// `get` or `post`.
    pub method: &'static str,
    /// The path, with `{id}` parameters.
    pub path: &'static str,
    /// What it does.
    pub summary: &'static str,
    /// The request body's schema name.
    pub request: Option<&'static str>,
    /// The success status.
    pub status: u16,
    /// The success body's schema name.
    pub response: &'static str,
}

const fn route(
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    request: Option<&'static str>,
    status: u16,
    response: &'static str,
) -> Route {
    Route {
        method,
        path,
        summary,
        request,
        status,
        response,
    }
}

/// Every route.
pub const ROUTES: &[Route] = &[
    route("post", "/api/v1/leads/adf", "Ingest an ADF/XML document (application/xml or application/x-adf+xml, at most 1 MiB): one lead per prospect, duplicates merged. The raw document is kept.", Some("AdfXml"), 201, "DocumentOutcome"),
    route("get", "/api/v1/escalations", "Hot replies handed to people on a clock. Query: status (open, breached, acknowledged, closed: the lead was sold or lost first), limit (1-1000, default 1000), cursor. Paged.", None, 200, "EscalationList"),
    route("post", "/api/v1/escalations/{id}/ack", "Acknowledge an escalation (staff can also reply to the alert with its number).", Some("Ack"), 200, "Escalation"),
    route("post", "/api/v1/escalations/{id}/reassign", "Hand an unacknowledged escalation to someone else, who is alerted at once.", Some("EscalationReassign"), 200, "Escalation"),
    route("get", "/api/v1/reports/funnel", "The funnel per group (by=segment|cadence|source|owner; from, to as RFC 3339 or YYYY-MM-DD): leads, contacted, appointment set, showed, sold, lost, rates with 95% Wilson intervals, speed to lead, escalations acknowledged within SLA. Reconciles with the timeline.", None, 200, "Funnel"),
    route("get", "/api/v1/audit", "The weekly follow-up audit (docs/audit.md). Query: week (ISO week, 2026-W47; default the last complete week in the dealership's zone), seed (sample seed; default year*100+week), format (json, md or html), dealership. Sampled timing and message scores, hot replies acknowledged in under 5 minutes with each miss, appointment and show rates against a baseline, what to fix first. 400 naming `week` for a week that does not exist.", None, 200, "Audit"),
    route("get", "/api/v1/documents", "Raw inbound documents (ADF, e-mail), newest first. Query: status (received, parsed, partial, failed, unrecognized, held), limit (1-1000, default 100), cursor. Paged.", None, 200, "DocumentList"),
    route("get", "/api/v1/documents/{id}", "One inbound document's metadata and the leads it produced.", None, 200, "Document"),
    route("get", "/api/v1/documents/{id}/raw", "The document's bytes as received.", None, 200, "Object"),
    route("post", "/api/v1/documents/{id}/replay", "Parse a stored document again (after a parser fix); leads it produced merge into themselves.", None, 200, "DocumentOutcome"),
    route("post", "/webhooks/twilio/sms", "Twilio's incoming-message webhook (form-encoded Twilio parameters). Needs a valid X-Twilio-Signature over KEEPWARM_PUBLIC_URL + path and every parameter (403 otherwise); answers empty TwiML; a MessageSid delivered twice is recorded once.", Some("TwilioForm"), 200, "Object"),
    route("post", "/webhooks/email", "A raw RFC 5322 lead e-mail (what an MTA pipe or inbound-parse service forwards; at most 10 MiB). Needs the shared secret as ?token= or the basic-auth password; the API token does not apply.", Some("Rfc822"), 200, "DocumentOutcome"),
    route("get", "/healthz", "Liveness check: the process answers.", None, 200, "Health"),
    route("get", "/readyz", "Readiness: the database answers and every live transport is up; 503 with the reasons otherwise (no token needed).", None, 200, "Object"),
    route("get", "/api/v1/openapi.json", "This document.", None, 200, "Object"),
    route("post", "/api/v1/leads", "Ingest a lead in the normalized lead format: segment, owner, enrollment and first touch in one step.", Some("LeadInput"), 201, "IngestOutcome"),
    route("get", "/api/v1/leads", "List leads, newest first. Query: owner, segment, status, limit (1-1000, default 100), cursor. Paged: see the description of the API.", None, 200, "LeadList"),
    route("get", "/api/v1/leads/{id}", "One lead.", None, 200, "Lead"),
    route("get", "/api/v1/leads/{id}/timeline", "Every event on the lead, in order.", None, 200, "Timeline"),
    route(
        "post",
        "/api/v1/leads/{id}/stop",
        "End the lead's follow-up; with `opt_out: true` the lead is marked opted out and no touch will ever be sent to it.",
        Some("Stop"),
        200,
        "Lead",
    ),
    route("post", "/api/v1/leads/{id}/pause", "Hold the lead's follow-up.", Some("Reason"), 200, "Lead"),
    route("post", "/api/v1/leads/{id}/resume", "Resume a paused follow-up; held touches are planned again inside the contact window.", Some("Reason"), 200, "Lead"),
    route("post", "/api/v1/leads/{id}/owner", "Reassign the lead.", Some("Reassign"), 200, "Lead"),
    route("post", "/api/v1/leads/{id}/opt-out", "Decide a possible opt-out keepwarm held (a reply that may mean stop: automation to the number stopped at once, no confirmation sent): `confirm` revokes every channel, stops every lead with the number and sends the one confirmation; `release` resumes the held leads. 409 when nothing is held.", Some("OptOutDecision"), 200, "Lead"),
    route("post", "/api/v1/leads/{id}/messages", "A person's message to the customer, sent as the dealership (its number, or its address) through the durable outbound queue. `channel` sms or email; `body`, or `block` (an approved block rendered for the lead; with `body` too, the body is the block as edited); `subject` for e-mail; `by` (required with the shared token; a staff token is its holder). The compliance gate applies: 409 naming the revocation for an opted-out or revoked contact; 409 with `next_opening` outside the customer's contact window, unless the message answers the customer's own message within `conversational_reply_minutes` (then `conversational: true`). Sending acknowledges the lead's open escalations, marks it contacted and pauses its automation until the conversation goes quiet. 202 when queued; with an `Idempotency-Key` header a replay answers 200 `duplicate: true` and sends nothing.", Some("StaffMessage"), 202, "StaffMessageSent"),
    route("get", "/api/v1/leads/{id}/messages/draft", "An approved block rendered for the lead to edit before sending. Query: block (required), by (with the shared token; default the lead's owner).", None, 200, "Draft"),
    route("get", "/api/v1/tasks", "Tasks for people (call tasks with the script and the lead's context, contact data to fix, replies to answer), open first. Query: owner, limit (1-1000, default 1000), cursor. Paged.", None, 200, "TaskList"),
    route("post", "/api/v1/tasks/{id}/complete", "Complete a task with its outcome. Call tasks: connected (a new lead becomes contacted), voicemail_left, no_answer, wrong_number (the phone is marked unusable); other tasks: done. A task is completed once (409 after).", Some("TaskCompletion"), 200, "Task"),
    route("get", "/api/v1/channels", "Which transport (twilio, smtp, sandbox, off) carries texts, calls and e-mail for each dealership, and each transport's health: an outage shows here while its touches wait.", None, 200, "Channels"),
    route("post", "/webhooks/twilio/status", "Twilio's status callback for texts and calls (?touch=ID, as keepwarm set it). Signed like the SMS webhook. Records queued/sent/delivered/undelivered/failed and the error code on the touch and the timeline; a status never replaces a later one; 21610 in a report opts the number out, 30005/30006 mark it unusable.", Some("TwilioForm"), 200, "Object"),
    route("post", "/webhooks/twilio/voice", "Instructions for an answered automated call (?touch=ID). Signed. Answering-machine detection decides: a person is connected to the owner (<Dial>), a machine gets the step's message (<Say>), then the call is recorded as voicemail left.", Some("TwilioForm"), 200, "Object"),
    route("get", "/u/{token}", "The unsubscribe link in every e-mail: a page with one button (a GET never unsubscribes, so link scanners cannot). 400 for a bad or expired token.", None, 200, "Object"),
    route("post", "/u/{token}", "Unsubscribe from e-mail at once (the page's button, or a mail client's RFC 8058 one-click `List-Unsubscribe=One-Click`). Texts and calls are not affected.", None, 200, "Object"),
    route("post", "/api/v1/leads/{id}/outcomes", "Record an outcome: `stage` (`contacted`, `appointment_set`, `showed`, `sold`, forward only; `lost` with a `reason` at any point), `at` (when it happened; default now; not in the future nor before the lead was received), `by` (a staff id; default api). `appointment_set` needs `appointment` {at, kind: sales|service, duration_minutes?}: the follow-up cadence ends and the appointment cadence starts (confirmation at once, reminders before it, e-mails with a calendar invite); a new time moves the appointment and plans its reminders again. Recording the same outcome twice changes nothing.", Some("Outcome"), 200, "Lead"),
    route("get", "/api/v1/appointments", "Appointments, soonest first. Query: status (scheduled, confirmed, reschedule_requested, showed, no_show, cancelled), lead, from and to (RFC 3339, on the start), limit (1-1000, default 500), cursor. Paged.", None, 200, "AppointmentList"),
    route("get", "/api/v1/sandbox/clock", "The engine's clock.", None, 200, "Clock"),
    route("post", "/api/v1/sandbox/clock", "Move the manual clock (`to` an instant, or `advance` by an ISO 8601 duration), processing all work due on the way before answering.", Some("ClockMove"), 200, "Clock"),
    route("get", "/api/v1/sandbox/outbox", "Messages the sandbox channel recorded, oldest first. Query: lead, limit (1-1000, default 1000), cursor. Paged.", None, 200, "Outbox"),
    route("post", "/api/v1/sandbox/inbound", "A customer's message, through the path real webhooks use.", Some("Inbound"), 200, "InboundOutcome"),
];

/// The document.
pub async fn document() -> Json<Value> {
    Json(build())
}

/// Builds the document.
pub fn build() -> Value {
    let mut paths = Map::new();
    for Route {
        method,
        path,
        summary,
        request,
        status,
        response,
    } in ROUTES
    {
        let mut op = json!({
            "summary": summary,
            "responses": {
                status.to_string(): {"description": "OK", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{response}")}}}},
                "400": {"$ref": "#/components/responses/Error"},
                "401": {"$ref": "#/components/responses/Error"},
                "403": {"$ref": "#/components/responses/Error"},
                "404": {"$ref": "#/components/responses/Error"},
                "409": {"$ref": "#/components/responses/Error"},
                "413": {"$ref": "#/components/responses/Error"},
                "415": {"$ref": "#/components/responses/Error"},
                "422": {"$ref": "#/components/responses/Error"},
            },
        });
        if path.starts_with("/webhooks/twilio") {
            op["security"] = json!([{"twilioSignature": []}]);
        } else if path.starts_with("/webhooks/email") {
            op["security"] = json!([{"emailSecret": []}, {"emailBasic": []}]);
        } else if path.starts_with("/api/v1/") && *path != "/api/v1/openapi.json" {
            op["security"] = json!([{"bearer": []}]);
        }
        if path.contains("{id}") {
            op["parameters"] = json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1, "maximum": i64::MAX}}]);
        }
        if path.contains("{token}") {
            op["parameters"] = json!([{"name": "token", "in": "path", "required": true, "schema": {"type": "string"}}]);
            op["responses"][status.to_string()]["content"] =
                json!({"text/html": {"schema": {"type": "string"}}});
            op["responses"]["400"] = json!({"description": "A bad or expired link", "content": {"text/html": {"schema": {"type": "string"}}}});
        }
        if path.ends_with("/raw") {
            op["responses"][status.to_string()]["content"] = json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}});
        }
        if let Some(schema) = request {
            let media = match *schema {
                "AdfXml" => "application/xml",
                "Rfc822" => "message/rfc822",
                "TwilioForm" => "application/x-www-form-urlencoded",
                _ => "application/json",
            };
            op["requestBody"] = json!({"required": true, "content": {media: {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "keepwarm", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Lead follow-up engine for car dealerships. Every /api/v1 route except this document needs `Authorization: Bearer <token>`: the shared API token (everything; names `by` for a person's action) or a staff member's personal token (`keepwarm staff token create`), which acts as that person and sees what their role gives them (403 for a `by` naming anyone else or a manager's resource; 404 for a lead they may not see). Lists marked Paged answer a JSON array of at most `limit` rows; when more follow, the response has `Link: <URL>; rel=\"next\"` (the same query with the next `cursor`) and `x-next-cursor: CURSOR`; no such header means the last page (with a staff token a page shows only what the token may see, so it can be shorter). A cursor is opaque and belongs to its list; anything else is a 400 naming `cursor`. Every response carries `x-request-id`."},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "emailSecret": {"type": "apiKey", "in": "query", "name": "token"},
                "emailBasic": {"type": "http", "scheme": "basic"},
                "twilioSignature": {"type": "apiKey", "in": "header", "name": "X-Twilio-Signature"},
            },
            "responses": {"Error": {"description": "An error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
            "schemas": nullable_optionals(schemas()),
        }
    })
}

/// Every property an object does not require also accepts `null`: the server reads such fields as
/// `Option`, where JSON `null` means absent, and a schema that refused `null` would describe
/// requests the server accepts. Applied to every schema, nested objects and array items included.
fn nullable_optionals(mut schemas: Value) -> Value {
    if let Some(all) = schemas.as_object_mut() {
        for schema in all.values_mut() {
            make_optionals_nullable(schema);
        }
    }
    schemas
}

fn make_optionals_nullable(schema: &mut Value) {
    if let Some(items) = schema.get_mut("items") {
        make_optionals_nullable(items);
    }
    let required: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for (name, property) in properties.iter_mut() {
        make_optionals_nullable(property);
        if required.contains(name) {
            continue;
        }
        if let Some(kinds) = property.get_mut("enum").and_then(Value::as_array_mut) {
            if !kinds.contains(&Value::Null) {
                kinds.push(Value::Null);
            }
        } else if let Some(kind) = property.get("type").cloned() {
            let mut kinds = match kind {
                Value::Array(kinds) => kinds,
                one => vec![one],
            };
            let null = Value::String("null".into());
            if !kinds.contains(&null) && !kinds.contains(&Value::String("array".into())) {
                kinds.push(null);
            }
            property["type"] = Value::Array(kinds);
        } else if property.get("$ref").is_some() {
            let reference = property.take();
            *property = json!({"anyOf": [reference, {"type": "null"}]});
        }
    }
}

fn schemas() -> Value {
    let string = json!({"type": "string"});
    let opt_string = json!({"type": ["string", "null"]});
    let instant = json!({"type": "string", "format": "date-time"});
    let vehicle = json!({"type": "object", "additionalProperties": false, "properties": {
        "interest": {"enum": ["buy", "lease", "trade-in", "sell", "test-drive"]},
        "condition": {"enum": ["new", "used"]},
        "year": {"type": "integer", "minimum": 1900, "maximum": 2100},
        "make": string, "model": string, "trim": string,
        "vin": {"type": "string", "minLength": 17, "maxLength": 17},
        "stock": string, "price": {"type": "number", "minimum": 0}, "odometer": {"type": "integer", "minimum": 0}}});
    json!({
        "Error": {"type": "object", "required": ["error"], "properties": {
            "error": string,
            "fields": {"type": "array", "items": {"type": "object", "properties": {"field": string, "message": string}}}}},
        "Health": {"type": "object", "properties": {"status": string}},
        "Object": {"type": "object"},
        "LeadInput": {"type": "object", "required": ["source"], "additionalProperties": false, "properties": {
            "dealership": string,
            "received_at": instant,
            "source": {"type": "object", "required": ["kind"], "additionalProperties": false, "properties": {
                "kind": {"enum": ["internet", "phone", "sms", "walk_in", "service", "import"]},
                "provider": string, "provider_lead_id": string}},
            "customer": {"type": "object", "additionalProperties": false, "properties": {
                "first_name": string, "last_name": string, "full_name": string,
                "phones": {"type": "array", "maxItems": 10, "items": string},
                "emails": {"type": "array", "maxItems": 10, "items": string},
                "phone_numbers": {"type": "array", "maxItems": 10, "items": {"type": "object", "required": ["number"], "additionalProperties": false, "properties": {
                    "number": string, "extension": string, "type": {"enum": ["mobile", "home", "work"]}, "original": string}}},
                "email_addresses": {"type": "array", "maxItems": 10, "items": {"type": "object", "required": ["address"], "additionalProperties": false, "properties": {
                    "address": string, "original": string}}},
                "address": {"type": "object", "additionalProperties": false, "properties": {
                    "street": {"type": "array", "items": string}, "city": string, "region": string, "country": string}},
                "postal_code": string, "preferred_language": string, "reply_language": string,
                "preferred_contact": {"enum": ["sms", "email", "phone", "call", "text"]}}},
            "vehicles": {"type": "array", "maxItems": 20, "items": vehicle},
            "service": {"type": "object", "additionalProperties": false, "properties": {
                "last_visit_at": instant, "need": string, "vehicle": vehicle}},
            "payment": {"type": "object", "additionalProperties": false, "properties": {
                "method": string, "monthly_target": {"type": "number"}, "down_payment": {"type": "number"}}},
            "timeframe": {"type": "object", "additionalProperties": false, "properties": {
                "description": string, "earliest": string, "latest": string}},
            "appointment_windows": {"type": "array", "items": string},
            "comments": string,
            "owner": string}},
        "IngestOutcome": {"type": "object", "properties": {
            "id": {"type": "integer"}, "action": {"enum": ["created", "merged", "reopened", "merged_for_owner", "recorded", "person_to_check"]}, "reason": string, "segment": string, "segment_rule": string, "owner": string,
            "status": {"$ref": "#/components/schemas/Status"},
            "cadence": {"type": ["object", "null"], "properties": {"name": string, "version": string}},
            "first_touch_due_at": {"type": ["string", "null"], "format": "date-time"},
            "warnings": {"type": "array", "items": {"type": "object", "properties": {"field": string, "message": string}}}}},
        "Status": {"enum": ["active", "paused", "stopped", "completed"]},
        "Stage": {"enum": ["new", "contacted", "appointment_set", "showed", "sold", "lost"]},
        "Lead": {"type": "object", "properties": {
            "id": {"type": "integer"}, "dealership": string, "received_at": instant, "created_at": instant,
            "source": {"type": "object"}, "name": opt_string,
            "contacts": {"type": "array", "items": {"type": "object", "properties": {"kind": string, "value": string, "usable": {"type": "boolean"}, "reason": string}}},
            "segment": string, "segment_rule": string,
            "owner": {"type": "object", "properties": {"id": string, "name": opt_string}},
            "stage": {"$ref": "#/components/schemas/Stage"}, "status": {"$ref": "#/components/schemas/Status"},
            "stop_reason": opt_string, "opted_out": {"type": "boolean"},
            "appointment": {"$ref": "#/components/schemas/Appointment"},
            "cadence": {"type": ["object", "null"], "properties": {"name": string, "version": string, "status": {"$ref": "#/components/schemas/Status"}, "started_at": instant, "ended_at": {"type": ["string", "null"]}}},
            // The stored lead document: the normalized lead as merged from every inquiry (its lists
            // can outgrow one request's limits, and unusable contacts are kept as given), so it is
            // described by LeadInput's fields but not held to a request's bounds.
            "lead": {"type": "object", "description": "The stored lead document: LeadInput's fields, merged from every inquiry."}}},
        "LeadList": {"type": "array", "items": {"$ref": "#/components/schemas/Lead"}},
        "Timeline": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "lead_id": {"type": "integer"}, "at": instant, "kind": string, "data": {"type": "object"}}}},
        "Reason": {"type": "object", "required": ["reason"], "additionalProperties": false, "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500}}},
        "Outcome": {"type": "object", "required": ["stage"], "additionalProperties": false, "properties": {
            "stage": {"$ref": "#/components/schemas/Stage"}, "at": instant, "reason": {"type": "string", "maxLength": 500},
            "by": string,
            "appointment": {"type": "object", "required": ["at", "kind"], "additionalProperties": false, "properties": {
                "at": instant, "kind": {"enum": ["sales", "service"]},
                "duration_minutes": {"type": "integer", "minimum": 5, "maximum": 720}}}}},
        "Appointment": {"type": "object", "properties": {
            "id": {"type": "integer"}, "lead_id": {"type": "integer"}, "kind": {"enum": ["sales", "service"]},
            "starts_at": instant, "ends_at": instant,
            "status": {"enum": ["scheduled", "confirmed", "reschedule_requested", "showed", "no_show", "cancelled"]},
            "sequence": {"type": "integer"}, "set_by": string, "created_at": instant, "updated_at": instant}},
        "AppointmentList": {"type": "array", "items": {"$ref": "#/components/schemas/Appointment"}},
        "Stop": {"type": "object", "required": ["reason"], "additionalProperties": false, "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500}, "opt_out": {"type": "boolean", "default": false}}},
        "Funnel": {"type": "array", "items": {"type": "object"}},
        "Audit": {"type": "object", "description": "See docs/audit.md; `schema_version` changes when a field is removed, renamed or retyped.", "required": ["schema_version", "week", "segments", "sample", "late_touches", "messages", "escalations", "fix_first"], "properties": {
            "schema_version": {"type": "integer"}, "week": string, "dealership": string, "time_zone": string,
            "start": instant, "end": instant, "as_of": instant, "seed": {"type": "integer"},
            "settings": {"type": "object"}, "segments": {"type": "array", "items": {"type": "object"}},
            "sample": {"type": "array", "items": {"type": "object"}}, "late_touches": {"type": "array", "items": {"type": "object"}},
            "messages": {"type": "object"}, "escalations": {"type": "object"}, "fix_first": {"type": "array", "items": {"type": "object"}}}},
        "Ack": {"type": "object", "additionalProperties": false, "properties": {"by": string}},
        "StaffMessage": {"type": "object", "required": ["channel"], "additionalProperties": false, "properties": {
            "channel": {"enum": ["sms", "email"]}, "body": {"type": "string", "minLength": 1, "maxLength": 16384},
            "block": string, "subject": {"type": "string", "minLength": 1, "maxLength": 200}, "by": string}},
        "StaffMessageSent": {"type": "object", "required": ["lead_id", "channel", "to", "body", "by", "conversational", "acknowledged", "duplicate"], "properties": {
            "lead_id": {"type": "integer"}, "channel": {"enum": ["sms", "email"]}, "to": string, "body": string,
            "subject": string, "by": string, "conversational": {"type": "boolean"},
            "acknowledged": {"type": "array", "items": {"type": "integer"}}, "duplicate": {"type": "boolean"}}},
        "Draft": {"type": "object", "required": ["block", "channel", "body"], "properties": {
            "block": string, "channel": {"enum": ["sms", "email", "call", "voicemail"]}, "subject": {"type": ["string", "null"]}, "body": string}},
        "EscalationReassign": {"type": "object", "required": ["owner"], "additionalProperties": false, "properties": {"owner": string}},
        "Escalation": {"type": "object", "properties": {
            "id": {"type": "integer"}, "lead_id": {"type": "integer"}, "intents": {"type": "array", "items": string},
            "context": {"type": "object"}, "created_at": instant, "sla_due_at": instant, "owner": string,
            "level": {"type": "integer"}, "status": {"enum": ["open", "breached", "acknowledged", "closed"]},
            "next_deadline_at": {"type": ["string", "null"]}, "breached_at": {"type": ["string", "null"]},
            "acknowledged_at": {"type": ["string", "null"]}, "acknowledged_by": opt_string,
            "notified": {"type": "array", "items": string}}},
        "EscalationList": {"type": "array", "items": {"$ref": "#/components/schemas/Escalation"}},
        "AdfXml": {"type": "string", "description": "An ADF 1.0 document"},
        "Rfc822": {"type": "string", "description": "A raw e-mail message"},
        "TwilioForm": {"type": "object", "properties": {"MessageSid": string, "From": string, "To": string, "Body": string}},
        "DocumentOutcome": {"type": "object", "properties": {
            "document_id": {"type": "integer"}, "status": {"enum": ["parsed", "partial", "failed", "unrecognized", "held"]},
            "email_kind": {"enum": ["adf", "plain_text", "unrecognized"]},
            "leads": {"type": "array", "items": {"$ref": "#/components/schemas/IngestOutcome"}},
            "refused": {"type": "array", "items": {"type": "object", "properties": {"field": string, "message": string}}},
            "held": {"type": "array", "items": {"type": "object", "properties": {"prospect": {"type": "integer"}, "held_id": {"type": "integer"}, "reason": string}}}}},
        "Document": {"type": "object", "properties": {
            "id": {"type": "integer"}, "received_at": instant, "channel": string, "content_type": opt_string, "sha256": string,
            "size": {"type": "integer"}, "status": string, "detail": opt_string, "lead_ids": {"type": "array", "items": {"type": "integer"}}}},
        "DocumentList": {"type": "array", "items": {"$ref": "#/components/schemas/Document"}},
        "OptOutDecision": {"type": "object", "required": ["decision"], "additionalProperties": false, "properties": {"decision": {"enum": ["confirm", "release"]}, "by": string}},
        "Reassign": {"type": "object", "required": ["owner", "reason"], "additionalProperties": false, "properties": {"owner": string, "reason": string}},
        "TaskList": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "lead_id": {"type": "integer"}, "owner_id": string, "kind": {"enum": ["call", "fix_contact", "reply", "confirm_opt_out", "check_person"]},
            "touch_id": {"type": ["integer", "null"]}, "due_at": instant, "status": {"enum": ["open", "done"]}, "body": string, "created_at": instant}}},
        "TaskCompletion": {"type": "object", "required": ["outcome"], "additionalProperties": false, "properties": {
            "outcome": {"enum": ["connected", "voicemail_left", "no_answer", "wrong_number", "done"]}, "note": {"type": "string", "maxLength": 2000}, "by": string}},
        "Task": {"type": "object", "properties": {
            "id": {"type": "integer"}, "lead_id": {"type": "integer"}, "owner_id": string, "kind": string, "status": {"enum": ["open", "done"]},
            "body": string, "outcome": string, "note": string, "completed_by": string, "completed_at": instant}},
        "Channels": {"type": "object", "properties": {
            "sandbox_only": {"type": "boolean"},
            "dealerships": {"type": "array", "items": {"type": "object", "properties": {
                "id": string, "sms": {"enum": ["twilio", "sandbox", "off"]}, "voice": {"enum": ["twilio", "sandbox", "off"]}, "email": {"enum": ["smtp", "sandbox", "off"]},
                "sms_from": opt_string, "messaging_service_sid": opt_string, "caller_id": opt_string, "email_from": opt_string}}},
            "transports": {"type": "array", "items": {"type": "object", "properties": {
                "transport": string, "status": {"enum": ["ok", "down"]}, "down_since": instant, "last_error": string, "sent": {"type": "integer"}, "failed": {"type": "integer"}}}}}},
        "Clock": {"type": "object", "properties": {"now": instant, "manual": {"type": "boolean"}, "processed": {"type": "integer"}}},
        "ClockMove": {"type": "object", "additionalProperties": false, "properties": {"to": instant, "advance": {"type": "string", "examples": ["PT36H", "P14D"]}}},
        "Outbox": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "touch_id": {"type": ["integer", "null"]}, "lead_id": {"type": "integer"}, "at": instant,
            "channel": {"enum": ["sms", "email", "call", "voicemail"]}, "recipient_kind": {"enum": ["customer", "staff"]},
            "to": string, "subject": string, "body": string}}},
        "Inbound": {"type": "object", "required": ["from", "body"], "additionalProperties": false, "properties": {
            "from": string, "body": {"type": "string", "maxLength": 16384}, "channel": {"enum": ["sms", "call"]}}},
        "InboundOutcome": {"type": "object", "properties": {"lead_id": {"type": "integer"}, "created": {"type": "boolean"}}},
    })
}
