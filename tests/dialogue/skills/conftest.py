"""The demo shop with its real desk and a scripted NLU, for the tests of one skill at a time."""

from __future__ import annotations

import pytest

from kefu.wiring import Kefu
from tests.desk.support import ensure_desk_tables
from tests.dialogue.conftest import ScriptedNlu


@pytest.fixture
def shop(sqlite_kefu: Kefu, scripted_nlu: ScriptedNlu) -> Kefu:
    ensure_desk_tables(sqlite_kefu.db)
    sqlite_kefu.dialogue.nlu = scripted_nlu
    return sqlite_kefu
