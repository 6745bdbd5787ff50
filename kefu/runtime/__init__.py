"""Shared state behind one interface: in-process for one worker, Redis for many."""

from kefu.runtime.shared import InProcessState, SharedState, make_shared_state

__all__ = ["InProcessState", "SharedState", "make_shared_state"]
