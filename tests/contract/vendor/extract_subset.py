"""Extract every operation from Twilio's Verify v2 OpenAPI spec for the contract tests (run from the repo root).

Usage: python tests/contract/vendor/extract_subset.py /path/to/twilio_verify_v2.json

The source is twilio/twilio-oai spec/json/twilio_verify_v2.json (MIT, see twilio-oai-LICENSE beside this file).
The extract keeps, verbatim, every operation (parameters, request body, responses with their schemas and
examples, but not the responses' CORS header declarations) and every component schema those reference;
everything else is left out. Every operation is kept so that one the emulator lacks fails a contract test.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

METHODS = ("get", "post", "delete")
OUTPUT = Path(__file__).with_name("twilio_verify_v2_subset.json")


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[1]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(_refs(item) for item in node)) if node else set()
    return set()


def _without_response_headers(operation: dict[str, Any]) -> dict[str, Any]:
    # The CORS header declarations repeat on every response and no test reads them.
    responses = {
        status: {key: value for key, value in response.items() if key != "headers"}
        for status, response in operation["responses"].items()
    }
    return {**operation, "responses": responses}


def extract(spec: dict[str, Any]) -> dict[str, Any]:
    paths = {
        path: {m: _without_response_headers(operation) for m, operation in item.items() if m in METHODS}
        for path, item in spec["paths"].items()
    }
    schemas = spec["components"]["schemas"]
    wanted, todo = set(), _refs(paths)
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo |= _refs(schemas[name])
    return {
        "openapi": spec["openapi"],
        "info": {"title": spec["info"]["title"], "x-source": "twilio/twilio-oai spec/json/twilio_verify_v2.json"},
        "servers": spec["servers"],
        "paths": paths,
        "components": {"schemas": {name: schemas[name] for name in sorted(wanted)}},
    }


if __name__ == "__main__":
    source = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    OUTPUT.write_text(json.dumps(extract(source), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT}")
