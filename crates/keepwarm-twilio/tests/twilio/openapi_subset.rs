//! The committed OpenAPI subset cannot drift from Twilio's description in the shared corpus.

use std::path::Path;
use std::process::Command;

const CORPUS: &str = "/work/shared/corpus/twilio/twilio_api_v2010.json";

#[test]
fn openapi_subset_matches_the_corpus() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = crate_dir.join("../../scripts/extract-twilio-openapi.py");
    let committed = std::fs::read_to_string(crate_dir.join("openapi/messages_calls.json")).unwrap();
    if !Path::new(CORPUS).exists() {
        eprintln!("skipped: {CORPUS} is not on this machine");
        return;
    }
    let output = match Command::new("python3").arg(&script).arg(CORPUS).output() {
        Ok(output) => output,
        Err(e) => {
            eprintln!("skipped: python3 cannot run ({e})");
            return;
        }
    };
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let regenerated = String::from_utf8(output.stdout).unwrap();
    assert!(
        regenerated == committed,
        "openapi/messages_calls.json differs from what scripts/extract-twilio-openapi.py makes of \
         {CORPUS}; regenerate it (from the workspace root) with: python3 \
         scripts/extract-twilio-openapi.py {CORPUS} crates/keepwarm-twilio/openapi/messages_calls.json"
    );
}

#[test]
fn the_subset_describes_the_four_operations_keepwarm_uses() {
    let subset: serde_json::Value =
        serde_json::from_str(keepwarm_twilio::fake::schema::OPENAPI_SUBSET).unwrap();
    let ops = subset["operations"].as_object().unwrap();
    let mut names: Vec<&str> = ops.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(
        names,
        ["CreateCall", "CreateMessage", "FetchMessage", "ListMessage"]
    );
    assert_eq!(
        ops["CreateMessage"]["body"]["required"],
        serde_json::json!(["To"])
    );
    assert_eq!(
        ops["CreateCall"]["body"]["required"],
        serde_json::json!(["From", "To"])
    );
}
