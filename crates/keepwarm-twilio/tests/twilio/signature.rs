//! Twilio's published X-Twilio-Signature vectors, validated.

use keepwarm_twilio::{compute_signature, validate, validate_json, SignatureError};
use serde_json::Value;

fn vectors() -> Value {
    serde_json::from_str(include_str!("../fixtures/signature_vectors.json")).unwrap()
}

fn params(v: &Value) -> Vec<(String, String)> {
    v["params"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    (
                        p[0].as_str().unwrap().to_owned(),
                        p[1].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_published_vector_validates_and_a_tampered_one_does_not() {
    let all = vectors();
    let mut checked = 0;
    for v in all["vectors"].as_array().unwrap() {
        let Some(expected) = v["expected_signature"].as_str() else {
            continue;
        };
        let id = v["id"].as_str().unwrap();
        let token = v["auth_token"].as_str().unwrap();
        let url = v["url"].as_str().unwrap();
        let signed = v["url_actually_signed"].as_str().unwrap_or(url);
        let p = params(v);
        if let Some(body) = v["body"].as_str() {
            assert_eq!(
                validate_json(token, url, body.as_bytes(), Some(expected)),
                Ok(()),
                "{id}"
            );
            assert_eq!(
                validate_json(token, url, b"{\"tampered\":true}", Some(expected)),
                Err(SignatureError::BodyMismatch),
                "{id}"
            );
        } else {
            assert_eq!(
                compute_signature(token, signed, &p),
                expected,
                "{id}: computed over the signed URL"
            );
            assert_eq!(
                validate(token, url, &p, Some(expected)),
                Ok(()),
                "{id}: validated from the request URL"
            );
            let mut tampered = p.clone();
            tampered.push(("Extra".into(), "1".into()));
            assert_eq!(
                validate(token, url, &tampered, Some(expected)),
                Err(SignatureError::Mismatch),
                "{id}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 7, "only {checked} vectors checked");
}

#[test]
fn the_node_sdk_round_trips_hold() {
    let all = vectors();
    let cases = &all["behavioural_cases_without_fixed_signatures"];
    let token = cases["auth_token"].as_str().unwrap();
    for c in cases["cases"].as_array().unwrap() {
        let signed = c["signed_url"].as_str().unwrap();
        let request = c["request_url"].as_str().unwrap();
        let signature = compute_signature(token, signed, &[]);
        assert_eq!(
            validate(token, request, &[], Some(&signature)).is_ok(),
            c["valid"].as_bool().unwrap(),
            "{signed} -> {request}"
        );
    }
}

#[test]
fn a_json_body_hash_from_the_docs_matches_and_validates() {
    use sha2::Digest;
    let all = vectors();
    let v = all["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "snippet-json-body-hash-only")
        .unwrap();
    let body = v["body"].as_str().unwrap().as_bytes();
    let expected = v["expected_body_sha256_hex"].as_str().unwrap();
    assert_eq!(hex::encode(sha2::Sha256::digest(body)), expected);
    let url = v["url"].as_str().unwrap();
    let signature = compute_signature("t", url, &[]);
    assert_eq!(validate_json("t", url, body, Some(&signature)), Ok(()));
}

/// twilio-python's `RequestValidator.compute_signature` signs `sorted(set(values))` per name: a value
/// repeated under one name counts once. The expected digest was computed with Python's `hmac` over
/// `URL + "Bodya" + "From+14158675309"`; `Body=a&Body=a` was refused with 403 (issue 16).
#[test]
fn a_value_repeated_under_one_name_is_signed_once_as_twilios_library_does() {
    let url = "https://keepwarm.example.com/webhooks/twilio/sms";
    let p: Vec<(String, String)> = [("Body", "a"), ("From", "+14158675309"), ("Body", "a")]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    assert_eq!(
        compute_signature("12345", url, &p),
        "aNVV7yebEYegjHLYLCDeP4VddEo="
    );
    assert_eq!(
        validate("12345", url, &p, Some("aNVV7yebEYegjHLYLCDeP4VddEo=")),
        Ok(())
    );
}
