"""Where the data kefu ships (seed, training utterances, lexicons, templates) lives."""

from __future__ import annotations

import os
from pathlib import Path

# The repository's data/ folder; KEFU_SHIPPED_DATA points elsewhere for a packaged install.
SHIPPED_DATA = Path(
    os.environ.get("KEFU_SHIPPED_DATA", Path(__file__).resolve().parent.parent / "data")
)


def data_path(*parts: str) -> Path:
    return SHIPPED_DATA.joinpath(*parts)
