"""Raising a service alert: stored once (the console's feed), then posted to the shop's webhook.

The webhook is best effort with a short timeout: the alert is in the feed whatever happens to
the post, and a slow receiver never holds up the check that found the breach.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

import httpx

from kefu.ops.host import AlertHost
from kefu.store.alerts_repo import ServiceAlert, SqlAlerts

log = logging.getLogger("kefu.ops.alerts")

WEBHOOK_TIMEOUT_S = 3.0


def raise_alert(
    kefu: AlertHost, key: str, kind: str, at: datetime, detail: dict[str, Any]
) -> ServiceAlert | None:
    """Store the alert once per key and post it; None when it was raised before."""
    alert = SqlAlerts(kefu.db).raise_once(key, kind, at, detail)
    if alert is None:
        return None
    kefu.state.publish("alerts", json.dumps(alert.to_dict(), ensure_ascii=False))
    url = kefu.settings.alert_webhook_url
    if url:
        try:
            httpx.post(url, json=alert.to_dict(), timeout=WEBHOOK_TIMEOUT_S).raise_for_status()
        except httpx.HTTPError:
            log.warning("alert webhook failed for %s", key, exc_info=True)
    return alert
