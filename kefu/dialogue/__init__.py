"""The conversation engine: state in the database, one skill per intent family, handoff policy.

Pure: depends on kefu.domain and on ports (commerce, NLU, knowledge, promotions, desk, store).
"""

from kefu.dialogue.engine import Dialogue, Turn, TurnResult

__all__ = ["Dialogue", "Turn", "TurnResult"]
