"""Guests and GuestLinks (kefu.dialogue.ports): a guest customer per unknown channel user, and
the link that makes a guest the shop's customer, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from kefu.commerce.embedded import EmbeddedCommerce
from kefu.store.channel_repo import SqlChannelStore
from kefu.store.commerce_repo import SqlOrderBook
from kefu.store.conversation_repo import SqlConversations
from kefu.store.db import Database
from tests.contracts.conftest import unique

T0 = datetime(2026, 11, 11, 4, 0, tzinfo=UTC)


@pytest.fixture
def guests(store_db: Database) -> SqlChannelStore:
    return SqlChannelStore(store_db)


def test_a_channel_user_is_the_same_guest_on_every_message(guests: SqlChannelStore) -> None:
    visitor = unique("oWx")
    guest = guests.bind_guest("wechat", visitor, "微信用户", T0)
    assert guests.bind_guest("wechat", visitor, "微信用户", T0) == guest
    assert guests.bind_guest("app", visitor, "App user", T0) != guest, "another channel's user"
    assert guests.bind_guest("wechat", unique("oWx"), "微信用户", T0) != guest


def test_two_first_messages_at_once_make_one_guest(guests: SqlChannelStore) -> None:
    visitor = unique("oWx")
    got: list[str] = []
    start = threading.Barrier(4)

    def first_message() -> None:
        start.wait()
        got.append(guests.bind_guest("wechat", visitor, "微信用户", T0))

    threads = [threading.Thread(target=first_message) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(got) == 4 and len(set(got)) == 1


def test_a_created_guest_is_the_customer_the_shop_reads_back(
    guests: SqlChannelStore, store_db: Database
) -> None:
    visitor = unique("web")
    made = guests.create_guest("web", visitor, "web:visitor", T0)
    stored = EmbeddedCommerce(SqlOrderBook(store_db)).find_customer_by_identity("web", visitor)
    assert made.created and stored == made.customer
    assert made.customer.identities == {"web": visitor} and made.customer.is_new_customer


def test_guests_created_at_once_for_one_visitor_end_as_one_customer(
    guests: SqlChannelStore,
) -> None:
    visitor = unique("web")
    got: list[str] = []
    created: list[bool] = []
    start = threading.Barrier(4)

    def first_message() -> None:
        start.wait()
        made = guests.create_guest("web", visitor, "web:visitor", T0)
        got.append(made.customer.id)
        created.append(made.created)

    threads = [threading.Thread(target=first_message) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(got) == 4 and len(set(got)) == 1
    assert created.count(True) == 1  # the others know they did not create it
    assert guests.bind_guest("web", visitor, "web:visitor", T0) == got[0]


def test_a_shop_customer_is_found_by_phone_as_written_and_a_stranger_is_not(
    guests: SqlChannelStore,
) -> None:
    assert guests.customer_id_by_phone("+86 138-0000-1001") == "C1001"
    assert guests.customer_id_by_phone("13800001002") == "C1002"
    assert guests.customer_id_by_phone("13900000000") is None


def test_a_linked_guest_becomes_the_customer_with_its_conversations(
    guests: SqlChannelStore,
    store_db: Database,
    new_conversation: Callable[..., str],
) -> None:
    conversations = SqlConversations(store_db)
    visitor = unique("oWx")
    guest = guests.bind_guest("wechat", visitor, "微信用户", T0)
    chat = new_conversation(guest)
    before = {c.id for c in conversations.of_customer("C1003", limit=100)}
    guests.link_guest(guest, "C1003", T0)
    assert guests.bind_guest("wechat", visitor, "微信用户", T0) == "C1003"
    moved = conversations.get(chat)
    assert moved is not None and moved.customer_id == "C1003"
    assert {c.id for c in conversations.of_customer("C1003", limit=100)} == before | {chat}
    assert conversations.of_customer(guest) == []


def test_only_a_guest_links_and_only_to_a_known_shop_customer(guests: SqlChannelStore) -> None:
    visitor = unique("oWx")
    guest = guests.bind_guest("wechat", visitor, "微信用户", T0)
    other_guest = guests.bind_guest("wechat", unique("oWx"), "微信用户", T0)
    with pytest.raises(ValueError):
        guests.link_guest("C1001", "C1002", T0)
    with pytest.raises(ValueError):
        guests.link_guest(guest, other_guest, T0)
    with pytest.raises(ValueError):
        guests.link_guest(guest, "C9999", T0)
    # a refused link changes nothing: the visitor is still the same guest
    assert guests.bind_guest("wechat", visitor, "微信用户", T0) == guest
