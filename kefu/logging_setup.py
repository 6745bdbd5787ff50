"""Log lines carry the request and conversation ids; personal data and credentials never reach
the log.

``KEFU_LOG_FORMAT=json`` writes one JSON object a line (for a log shipper); the default is text.
Both are masked (see ``kefu.log_masking``), and so are uvicorn's access and error logs, whose
request lines would otherwise keep WeChat signatures and tokens from query strings.
"""

from __future__ import annotations

import json
import logging

from kefu.log_context import conversation_id_var, request_id_var
from kefu.log_masking import MaskingFilter, MaskingFormatter, mask

_MASK = MaskingFilter()


class _RequestContext(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.conversation_id = conversation_id_var.get()
        return True


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "at": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "conversation_id": getattr(record, "conversation_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return mask(json.dumps(line, ensure_ascii=False))


def configure_logging(level: str = "INFO", log_format: str = "text") -> None:
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(
            MaskingFormatter(
                "%(asctime)s %(levelname)s %(name)s"
                " [%(request_id)s %(conversation_id)s] %(message)s"
            )
        )
    handler.addFilter(_RequestContext())
    handler.addFilter(_MASK)
    root = logging.getLogger("kefu")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
    # uvicorn's own loggers keep their handlers; their records are masked on the way in
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if _MASK not in logger.filters:
            logger.addFilter(_MASK)
