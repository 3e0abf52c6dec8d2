//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 description of every route, derived from the code.
//!
//! Nothing here lists routes. Each handler carries a `#[utoipa::path]` attribute (its method, path,
//! parameters, body and responses, with the request and response *types* the handler uses), and
//! each resource's router registers its handlers with `utoipa_axum::routes!`, which takes the path
//! from that attribute: the route the server answers and the route the description names are the
//! same string. [`crate::router`] splits the assembled router into the axum router and this
//! description, so a route cannot be served without being described (a test in
//! `tests/api/openapi.rs` probes the router for any that slipped past).
//!
//! What is common to many operations is added here from the operation's own shape, in
//! [`complete`]: the error responses its parameters and body can cause, and the security scheme of
//! the router that holds it ([`require`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::{Extension, Json};
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};

/// What the API says about itself before any route is added.
const DESCRIPTION: &str = "Lead follow-up engine for car dealerships. Every /api/v1 route except \
this document needs `Authorization: Bearer <token>`: the shared API token (everything; names `by` \
for a person's action) or a staff member's personal token (`keepwarm staff token create`), which \
acts as that person and sees what their role gives them (403 for a `by` naming anyone else or a \
manager's resource; 404 for a lead they may not see). Lists marked Paged answer a JSON array of at \
most `limit` rows; when more follow, the response has `Link: <URL>; rel=\"next\"` (the same query \
with the next `cursor`) and `x-next-cursor: CURSOR`; no such header means the last page (with a \
staff token a page shows only what the token may see, so it can be shorter). A cursor is opaque \
and belongs to its list; anything else is a 400 naming `cursor`. Every response carries \
`x-request-id`.";

/// The description's frame: title, version, the schemes routes refer to, the error body.
#[derive(OpenApi)]
#[openapi(
    info(title = "keepwarm", description = DESCRIPTION),
    components(schemas(ErrorBody)),
    modifiers(&SecuritySchemes)
)]
pub struct ApiDoc;

/// Every error's body: what [`crate::error::ApiError`] answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, in one line.
    pub error: String,
    /// The fields at fault, for 400 and 422 answers that name them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<keepwarm_domain::lead::FieldError>>,
    /// For a message the compliance gate refused (409): when the customer's contact window next
    /// opens, if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_opening: Option<jiff::Timestamp>,
}

/// A positive integer id in the path (`/api/v1/leads/{id}`).
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // Describes the path; handlers read it as text to name a bad one in the error.
pub struct IdPath {
    /// The id: a positive integer.
    #[param(minimum = 1)]
    id: i64,
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        let bearer =
            || SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build());
        components.add_security_scheme("bearer", bearer());
        components.add_security_scheme("metricsBearer", bearer());
        components.add_security_scheme(
            "emailSecret",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::new("token"))),
        );
        components.add_security_scheme(
            "emailBasic",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Basic).build()),
        );
        components.add_security_scheme(
            "twilioSignature",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Twilio-Signature"))),
        );
    }
}

/// The security a router's layer enforces, set on every operation of that router.
#[derive(Debug, Clone, Copy)]
pub enum Security {
    /// The API's bearer token (a shared or a staff token).
    Bearer,
    /// `/metrics`: a bearer token when `KEEPWARM_METRICS_TOKEN` is set, open otherwise.
    OptionalMetricsBearer,
    /// The e-mail webhook's shared secret, as `?token=` or as the basic-auth password.
    EmailSecret,
    /// Twilio's signature over the URL and every parameter.
    TwilioSignature,
}

/// Marks every operation of `router` as needing `security`: called where the router gets the layer
/// that enforces it, so the description follows the code.
pub fn require<S: Clone + Send + Sync + 'static>(
    mut router: utoipa_axum::router::OpenApiRouter<S>,
    security: Security,
) -> utoipa_axum::router::OpenApiRouter<S> {
    let one = |name: &str| SecurityRequirement::new(name, Vec::<String>::new());
    let requirements = match security {
        Security::Bearer => vec![one("bearer")],
        Security::OptionalMetricsBearer => {
            vec![SecurityRequirement::default(), one("metricsBearer")]
        }
        Security::EmailSecret => vec![one("emailSecret"), one("emailBasic")],
        Security::TwilioSignature => vec![one("twilioSignature")],
    };
    for item in router.get_openapi_mut().paths.paths.values_mut() {
        for op in operations(item) {
            op.security = Some(requirements.clone());
            if matches!(security, Security::Bearer | Security::OptionalMetricsBearer) {
                add_error(op, 401, "No bearer token, or the wrong one.");
            }
            if matches!(security, Security::Bearer) {
                add_error(
                    op,
                    403,
                    "A staff token that may not do this (another person's `by`, a manager's resource).",
                );
            }
            if matches!(security, Security::EmailSecret) {
                add_error(op, 401, "No e-mail webhook secret, or the wrong one.");
            }
            if matches!(security, Security::TwilioSignature) {
                add_error(
                    op,
                    403,
                    "Missing or wrong X-Twilio-Signature: nothing was recorded.",
                );
                add_error(op, 404, "Twilio webhooks are not configured.");
            }
        }
    }
    router
}

/// Adds what follows from each operation's shape: a body can be too large (413), of the wrong
/// type (415), not valid (422) or in conflict with the current state (409); parameters can be unreadable (400) or not valid (422); an id in
/// the path can name nothing (404); anything can fail inside (500).
pub fn complete(doc: &mut Document) {
    for item in doc.paths.paths.values_mut() {
        for op in operations(item) {
            if op.request_body.is_some() {
                add_error(op, 413, "The body is larger than this route accepts.");
                add_error(op, 415, "The body is not of a type this route accepts.");
                add_error(
                    op,
                    422,
                    "The body is not valid; `fields` names each problem.",
                );
                add_error(op, 400, "The body cannot be read.");
                add_error(op, 409, "The change conflicts with the current state.");
            }
            let parameters = op.parameters.as_deref().unwrap_or_default();
            let any = !parameters.is_empty();
            let query = parameters
                .iter()
                .any(|p| p.parameter_in == ParameterIn::Query);
            let id = parameters
                .iter()
                .any(|p| p.parameter_in == ParameterIn::Path && p.name == "id");
            if any {
                add_error(op, 400, "A parameter cannot be read, or is unknown.");
            }
            if query {
                add_error(
                    op,
                    422,
                    "A query parameter is not valid; `fields` names it.",
                );
            }
            if id {
                add_error(
                    op,
                    404,
                    "Nothing has this id (or the caller may not see it).",
                );
            }
            add_error(
                op,
                500,
                "Something failed inside keepwarm; see the server log.",
            );
        }
    }
}

/// Adds an error response with [`ErrorBody`] unless the operation documents that status itself.
fn add_error(op: &mut Operation, status: u16, description: &str) {
    let key = status.to_string();
    if op.responses.responses.contains_key(&key) {
        return;
    }
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorBody")))
        .build();
    let response = ResponseBuilder::new()
        .description(description)
        .content("application/json", content)
        .build();
    op.responses.responses.insert(key, response.into());
}

/// The operations of one path.
fn operations(item: &mut utoipa::openapi::PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.options.as_mut(),
        item.head.as_mut(),
        item.patch.as_mut(),
        item.trace.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// The description as served, made once at start-up.
#[derive(Debug, Clone)]
pub struct Served(pub Arc<Value>);

/// Turns the assembled description into what `GET /api/v1/openapi.json` serves.
pub fn serve(mut doc: Document) -> Served {
    complete(&mut doc);
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    Served(Arc::new(
        serde_json::to_value(&doc).unwrap_or_else(|_| Value::Object(Default::default())),
    ))
}

/// The document itself.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "This document (OpenAPI 3.1).", body = serde_json::Value))
)]
pub async fn document(Extension(Served(doc)): Extension<Served>) -> Json<Value> {
    Json(Value::clone(&doc))
}

/// The paths and methods of a description: `{"/api/v1/leads": ["get", "post"], …}`.
pub fn described_routes(doc: &Value) -> BTreeMap<String, Vec<String>> {
    doc["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(path, item)| {
            let methods = item
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(_, op)| op.get("responses").is_some())
                .map(|(m, _)| m.clone())
                .collect();
            (path.clone(), methods)
        })
        .collect()
}
