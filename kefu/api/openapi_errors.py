"""The OpenAPI schema documents kefu's real error shape on every operation.

FastAPI documents a 422 with its own ``{"detail": [...]}`` body, but kefu answers every failure
with ``{"error": {"code", "message"}}`` (``kefu.api.errors``). Documenting that (4XX and 5XX on
every operation) lets clients generate the right types and lets the schema fuzzer check that each
error response really has that shape.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "request_id": {"type": "string"},
            },
        }
    },
}
_ERROR_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_DOCUMENTED = {
    "4XX": "The client's mistake (bad input, no or wrong token, not found, too many requests, "
    "too large): nothing was changed",
    "5XX": "The service cannot answer now (e.g. 503 state_unavailable): retry later",
}


def _with_error_responses(schema: dict[str, Any]) -> dict[str, Any]:
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if "422" in responses:  # FastAPI's validation body: kefu's handler answers Error
                responses["422"] = {"description": "Invalid request", "content": _ERROR_REF}
            for status, description in _DOCUMENTED.items():
                responses.setdefault(status, {"description": description, "content": _ERROR_REF})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return schema


def install_error_schema(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _with_error_responses(
                get_openapi(title=app.title, version=app.version, routes=app.routes)
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
