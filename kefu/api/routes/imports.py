"""``POST /api/v1/admin/import/{kind}``: the CLI's import over HTTP for the shop's back office.

The body is the file itself (CSV or JSON Lines, ``?format=`` or the Content-Type says which); it
is spooled to disk as it arrives, so a large export never sits in memory whole.
"""

from __future__ import annotations

import tempfile
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool

from kefu.api.auth import current_admin
from kefu.api.body_guard import IMPORT_BODY_BYTES
from kefu.api.deps import get_kefu
from kefu.api.schemas.messages import ErrorOut
from kefu.api.schemas.ops import ImportReportOut
from kefu.commerce.import_rows import ImportKind
from kefu.domain.errors import ClientError
from kefu.store.importer import SqlImporter
from kefu.wiring import Kefu

router = APIRouter(tags=["import"], dependencies=[Depends(current_admin)])


class BadImport(ClientError):
    code = "invalid_import"


@router.post(
    "/api/v1/admin/import/{kind}",
    response_model=ImportReportOut,
    responses={code: {"model": ErrorOut} for code in (400, 401, 403, 413, 422)},
)
async def import_file(
    kind: str,
    request: Request,
    format: str | None = Query(None, pattern="^(csv|jsonl)$"),
    kefu: Kefu = Depends(get_kefu),
) -> dict[str, Any]:
    """Rows imported and every rejected row with its line and reason."""
    try:
        what = ImportKind(kind)
    except ValueError:
        raise BadImport("kind must be products, customers, orders or shipments") from None
    content_type = request.headers.get("content-type", "")
    fmt = format or ("jsonl" if "json" in content_type else "csv")
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024**2) as spool:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > IMPORT_BODY_BYTES:
                raise BadImport("the file is larger than 2 GiB: import it with the CLI")
            spool.write(chunk)
        if size == 0:
            raise BadImport("the body is empty: send the file as the request body")
        spool.seek(0)
        report = await run_in_threadpool(
            SqlImporter(kefu.db).import_stream,
            what,
            spool,  # type: ignore[arg-type]
            fmt,
        )
    return report.to_dict()
