"""Every operation of the API says what it answers: a named wire model for JSON (one that forbids
keys it does not declare), another content type for pages, files and feeds, or 204. A new route
without a model fails here instead of reaching clients undocumented."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def _success_bodies(op: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for status, response in op.get("responses", {}).items():
        if status.startswith("2"):
            for media, content in (response.get("content") or {}).items():
                found.append((status, media, content.get("schema", {})))
            if not response.get("content"):
                found.append((status, "", {}))
    return found


def _model_of(schema: dict[str, Any]) -> str | None:
    """The component a JSON body is: itself, or the items of a list of it."""
    ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
    return str(ref).rsplit("/", 1)[-1] if ref else None


def test_every_operation_declares_its_success_body(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    undeclared = []
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            bodies = _success_bodies(op)
            declared = any(
                (status == "204" and not media)
                or (media and media != "application/json")
                or _model_of(schema)
                for status, media, schema in bodies
            )
            if not declared:
                undeclared.append(f"{method.upper()} {path}")
    assert undeclared == []
    assert len(doc["paths"]) > 80  # the whole API is in the document, not a part of it


def test_json_answers_are_models_that_forbid_undeclared_keys(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    loose = set()
    for operations in doc["paths"].values():
        for op in operations.values():
            for _status, media, schema in _success_bodies(op):
                name = _model_of(schema) if media == "application/json" else None
                if name and schemas[name].get("additionalProperties") is not False:
                    loose.add(name)
    assert sorted(loose) == []
