"""What the dialogue needs from its neighbours; kefu.nlu, kefu.knowledge, kefu.promotions and
kefu.desk provide the real ones, tests may hand in small fakes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from kefu.domain.customers import NewGuest


class Understanding(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def normalized(self) -> str: ...
    @property
    def lang(self) -> str: ...
    @property
    def intent(self) -> str: ...
    @property
    def confidence(self) -> float: ...
    @property
    def ranked(self) -> Sequence[tuple[str, float]]: ...
    @property
    def entities(self) -> Mapping[str, Any]: ...
    @property
    def product_skus(self) -> Sequence[str]: ...
    @property
    def sentiment(self) -> str: ...
    @property
    def anger(self) -> float: ...


class Nlu(Protocol):
    def parse(self, text: str, now: datetime | None = None) -> Understanding: ...


class Promotions(Protocol):
    def answer(
        self,
        topic: Any,
        lang: str,
        skus: Iterable[str] = (),
        qty: int | None = None,
        customer_id: str | None = None,
        rule_refs: Sequence[str] = (),
    ) -> str: ...


class TurnLocks(Protocol):
    """One customer's turns one at a time, in arrival order (kefu.runtime.locks implements it)."""

    def hold(self, key: str) -> AbstractContextManager[None]: ...


class Guests(Protocol):
    """Guest customers for channel identities no customer has yet (pre-sales visitors)."""

    def bind_guest(self, channel: str, channel_user_id: str, name: str, at: datetime) -> str:
        """The customer id behind the identity, creating a guest on first contact."""
        ...

    def create_guest(self, channel: str, channel_user_id: str, name: str, at: datetime) -> NewGuest:
        """A guest for an identity the caller has just found no customer for; when another
        worker's first message of the same visitor won, that customer (``created`` false)."""
        ...


class GuestLinks(Protocol):
    """Where guests meet the shop's customers (kefu.store.channel_repo implements it)."""

    def customer_id_by_phone(self, phone: str) -> str | None:
        """The one shop customer with this phone (by keyed hash), else None."""
        ...

    def link_guest(self, guest_id: str, customer_id: str, at: datetime) -> None:
        """Make the guest the customer: identities and conversations move, the guest goes."""
        ...


class ExpiringValues(Protocol):
    """Short-lived values shared by every worker (kefu.runtime.shared implements it)."""

    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str, ttl_s: float | None = None) -> None: ...
    def incr(self, key: str, ttl_s: float | None = None) -> int: ...


class TurnLlm(Protocol):
    """The shop's optional language model on a turn (kefu.llm.assist.LlmAssist): it may pick an
    unsure intent and reword the decided answer, never change what the answer says."""

    def turn_budget(self) -> Any: ...

    def understand(self, u: Any, budget: Any) -> Any: ...

    def phrase(self, ctx: Any, replies: Sequence[Any], budget: Any) -> list[Any]: ...
