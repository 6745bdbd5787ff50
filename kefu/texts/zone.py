"""The shop's time zone: where its times in replies, exports and forecasts are local.

``KEFU_SHOP_TIMEZONE`` (kefu.config) names it; the composition root passes it to the services it
builds and sets it here once at start (``use_shop_zone``).

Why a module-level zone at all: a time is formatted deep inside text rendering (a reply's
"shipped at", a promotion's "ends at", an export row without an offset), reached through objects
that their callers build with defaults (a dialogue's templates, a promotion service's texts, the
importer's row validators). Threading the zone through every one of those constructors would
touch every caller for a value that is one per process: one process serves one shop. Code that is
handed a zone uses it; this is only the default.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_SHOP_TIMEZONE = "Asia/Shanghai"

_shop = ZoneInfo(DEFAULT_SHOP_TIMEZONE)


def parse_zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; ``ValueError`` saying what a valid one looks like otherwise."""
    try:
        return ZoneInfo(name)
    # a region's folder ("Europe") is found on disk but is no zone: OSError, not NotFound
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"{name!r} is not an IANA time zone name such as Asia/Shanghai or Europe/Berlin"
        ) from None


def shop_zone() -> ZoneInfo:
    """The shop's zone: the configured one once kefu has started, else the default."""
    return _shop


def use_shop_zone(name: str) -> ZoneInfo:
    """Make ``name`` the shop's zone for this process (the composition root, at start)."""
    global _shop
    _shop = parse_zone(name)
    return _shop
