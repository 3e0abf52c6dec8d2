#!/usr/bin/env python3
"""Extract the part of Twilio's 2010-04-01 OpenAPI description that keepwarm-twilio's fake server
validates against: CreateMessage, ListMessage, FetchMessage and CreateCall.

    extract-twilio-openapi.py [SPEC] [OUT]

SPEC defaults to /work/shared/corpus/twilio/twilio_api_v2010.json; OUT defaults to stdout.
The output is deterministic (sorted keys, two-space indent), so regenerating must give the
committed file byte for byte (the crate's `openapi_subset_matches_the_corpus` test checks it).

What is kept, per operation: method, path, path and query parameters with their schemas, the
form body's `required` list and property schemas, and the success response's status, schema and
first example. `$ref`s are resolved inline; descriptions are dropped.

One addition, marked `"x-keepwarm-enum-from-description": true`: where a string property has no
`enum` but its description lists its values as "Can be: `A` or `B`" (MachineDetection, AsyncAmd,
Trim, StatusCallbackEvent items, ...), those values become its `enum`. Twilio documents these
values only in prose; the fake refuses anything else, as Twilio does.
"""
import hashlib
import json
import re
import sys

OPERATIONS = [
    ("/2010-04-01/Accounts/{AccountSid}/Messages.json", "post"),
    ("/2010-04-01/Accounts/{AccountSid}/Messages.json", "get"),
    ("/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json", "get"),
    ("/2010-04-01/Accounts/{AccountSid}/Calls.json", "post"),
]

CAN_BE = re.compile(r"Can be: (`[^`]+`(?:(?:,\s*and\s+|,\s*or\s+|,\s*|\s+or\s+|\s+and\s+)`[^`]+`)*)")


def resolve(node, components):
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return resolve(components[name], components)
        return {
            k: resolve(v, components)
            for k, v in node.items()
            if k not in ("description", "x-twilio") or (k == "x-twilio" and "ignoreFormat" in v)
        }
    if isinstance(node, list):
        return [resolve(v, components) for v in node]
    return node


def enum_from_description(raw, resolved):
    """Adds the values a description lists to a string schema that has no enum."""
    description = raw.get("description", "")
    target = resolved
    if resolved.get("type") == "array":
        target = resolved.get("items", {})
    if target.get("type") != "string" or "enum" in target or "format" in target:
        return
    match = CAN_BE.search(description)
    if match:
        target["enum"] = re.findall(r"`([^`]+)`", match.group(1))
        target["x-keepwarm-enum-from-description"] = True


def extract(spec):
    components = spec["components"]["schemas"]
    out = {}
    for path, method in OPERATIONS:
        op = spec["paths"][path][method]
        entry = {"method": method.upper(), "path": path, "path_params": {}, "query_params": {}}
        for param in op.get("parameters", []):
            target = "path_params" if param["in"] == "path" else "query_params"
            entry[target][param["name"]] = {
                "required": bool(param.get("required", False)),
                "schema": resolve(param["schema"], components),
            }
        body = op.get("requestBody")
        if body:
            schema = body["content"]["application/x-www-form-urlencoded"]["schema"]
            props = {}
            for name, raw in schema["properties"].items():
                resolved = resolve(raw, components)
                enum_from_description(raw, resolved)
                props[name] = resolved
            entry["body"] = {"required": sorted(schema.get("required", [])), "properties": props}
        status, response = next(iter(op["responses"].items()))
        content = response["content"]["application/json"]
        examples = content.get("examples", {})
        entry["response"] = {
            "status": int(status),
            "schema": resolve(content["schema"], components),
            "example": next(iter(examples.values()))["value"] if examples else None,
        }
        out[op["operationId"]] = entry
    return out


def main():
    spec_path = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpus/twilio/twilio_api_v2010.json"
    with open(spec_path, "rb") as f:
        raw = f.read()
    spec = json.loads(raw)
    subset = {
        "x-source": {
            "repository": "twilio/twilio-oai",
            "path": "spec/json/twilio_api_v2010.json",
            "sha256": hashlib.sha256(raw).hexdigest(),
            "licence": "MIT, Copyright (C) 2023, Twilio, Inc.",
            "generated_by": "scripts/extract-twilio-openapi.py",
        },
        "operations": extract(spec),
    }
    text = json.dumps(subset, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
