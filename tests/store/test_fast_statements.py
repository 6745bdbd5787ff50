"""The turn's statements run on the driver's own connection behave as through SQLAlchemy: the same
rows and types, personal data still encrypted at rest, the same exceptions, and a database that
went away costs one failed statement, not a broken worker."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import UTC, datetime
from typing import cast

import pytest
from sqlalchemy import bindparam, insert, literal, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.pool import QueuePool

from kefu.domain.conversations import Conversation, ConversationStatus, NewMessage, Sender
from kefu.store import fast
from kefu.store.commerce_repo import SqlOrderBook
from kefu.store.conversation_repo import SqlConversations, new_id
from kefu.store.db import Database
from kefu.store.tables.commerce import CustomerRow, OrderRow

_BY_ID = select(CustomerRow.id, CustomerRow.phone, CustomerRow.created_at).where(
    CustomerRow.id == bindparam("customer_id")
)
_KEYS = ("id", "name", "vip", "phone", "lang", "is_new_customer", "created_at")
_NEW = (
    insert(CustomerRow)
    .values({k: bindparam(k, type_=getattr(CustomerRow, k).type) for k in _KEYS})
    .returning(CustomerRow.id)
)
_LITERAL = select(CustomerRow.id).where(CustomerRow.vip == "gold").limit(5)


def _customer(customer_id: str, phone: str) -> dict[str, object]:
    return {
        "id": customer_id,
        "name": "测试",
        "vip": "normal",
        "phone": phone,
        "lang": "zh-CN",
        "is_new_customer": True,
        "created_at": datetime(2026, 11, 11, 0, 0, 1, tzinfo=UTC),
    }


def test_rows_read_and_write_with_the_columns_types(db: Database) -> None:
    made = db.rows(_NEW, _customer("FAST1", "13800001111"))
    assert [r.id for r in made] == ["FAST1"]
    [row] = db.rows(_BY_ID, {"customer_id": "FAST1"})
    assert row.phone == "13800001111"  # decrypted by the column's type
    assert row.created_at.replace(tzinfo=UTC) == datetime(2026, 11, 11, 0, 0, 1, tzinfo=UTC)
    with db.engine.connect() as conn:  # at rest: ciphertext, as SQLAlchemy would have written
        stored = conn.execute(text("SELECT phone FROM customers WHERE id = 'FAST1'")).scalar_one()
    assert stored.startswith("enc1:") and "13800001111" not in stored
    assert db.rows(_BY_ID, {"customer_id": "nobody"}) == []


def test_literals_bound_in_the_statement_itself_are_used(db: Database) -> None:
    gold = {r.id for r in db.rows(_LITERAL, {})}
    with db.engine.connect() as conn:
        expected = {r.id for r in conn.execute(_LITERAL)}
    assert gold == expected


def test_a_duplicate_is_sqlalchemys_integrity_error_and_changes_nothing(db: Database) -> None:
    db.rows(_NEW, _customer("FAST2", "13800002222"))
    with pytest.raises(IntegrityError):
        db.rows(_NEW, _customer("FAST2", "13900009999"))
    [row] = db.rows(_BY_ID, {"customer_id": "FAST2"})
    assert row.phone == "13800002222"
    # the connection went back usable: the next statement on the pool works
    assert db.rows(_BY_ID, {"customer_id": "FAST2"})[0].id == "FAST2"


def test_statements_built_per_call_stay_bounded_and_never_mix_up(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a few slots, so entries are evicted and freed statements' ids come back for new ones: a
    # statement must never run another's compiled SQL or literals
    monkeypatch.setattr(fast, "MAX_STATEMENTS", 4)
    for i in range(60):
        statement = select(literal(i).label("n"), CustomerRow.id).where(
            CustomerRow.id == bindparam("customer_id")
        )
        [row] = db.rows(statement, {"customer_id": "C1001"})
        assert (row.n, row.id) == (i, "C1001")
    cached = db._fast._compiled  # the leak this guards against is internal
    assert len(cached) <= 4


def test_a_missing_parameter_is_a_clear_error(db: Database) -> None:
    with pytest.raises(TypeError, match="customer_id"):
        db.rows(_BY_ID, {})


def test_statements_needing_per_call_rendering_are_refused(db: Database) -> None:
    expanding = select(CustomerRow.id).where(CustomerRow.id.in_(bindparam("ids", expanding=True)))
    with pytest.raises(ValueError, match="per-call"):
        db.rows(expanding, {"ids": ["C1001"]})


def test_the_repositories_on_the_turns_path_read_what_sqlalchemy_reads(db: Database) -> None:
    book = SqlOrderBook(db)
    customer = book.customer("C1001")
    assert customer is not None and customer.phone  # the demo's first customer, phone decrypted
    with db.session() as s:
        row = s.get(CustomerRow, "C1001")
        assert row is not None and row.phone == customer.phone
    # the open conversation, its state encrypted at rest and read back whole
    conversations = SqlConversations(db)
    now = datetime.now(UTC)
    made = Conversation(
        id=new_id("c"),
        customer_id="C1002",
        channel="web",
        status=ConversationStatus.BOT,
        lang="zh-CN",
        created_at=now,
        updated_at=now,
        state={"lang": "zh-CN", "last_intent": "greeting"},
    )
    conversations.commit_turn(made, [NewMessage(Sender.CUSTOMER, "在吗", now)], create=True)
    latest = conversations.latest_open("C1002")
    assert latest is not None and latest.id == made.id
    assert latest.state == made.state and latest.version == 1
    # an order question's five reads: every order with its items, as the ORM sees them
    with db.session() as s:
        expected = {
            o.id: sorted(i.sku for i in o.items)
            for o in s.scalars(select(OrderRow).where(OrderRow.customer_id == "C1001"))
        }
    orders = book.orders_of("C1001")
    assert expected and {o.id: sorted(i.sku for i in o.items) for o in orders} == expected
    shipped = next(o for o in orders if o.shipment is not None)
    assert book.order_by_tracking(shipped.shipment.tracking_no) == shipped  # type: ignore[union-attr]


@pytest.mark.postgres
def test_a_database_that_dropped_its_connections_costs_one_statement(postgres_url: str) -> None:
    db = Database.from_url(postgres_url)
    db.migrate()
    try:
        db.rows(_NEW, _customer("FAST3", "13800003333"))
        with ExitStack() as held:  # three pooled connections, as a busy worker has
            for conn in [held.enter_context(db.engine.connect()) for _ in range(3)]:
                conn.execute(text("SELECT 1"))
        assert cast(QueuePool, db.engine.pool).checkedin() == 3
        # the server ends every session of this database (a restart, as the pool sees it)
        admin = Database.from_url(postgres_url)  # a connection of its own, outside the pool
        with admin.engine.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            conn.commit()
        admin.dispose()
        with pytest.raises(OperationalError) as failed:
            db.rows(_BY_ID, {"customer_id": "FAST3"})
        assert failed.value.connection_invalidated
        # the pool was emptied: the next statements reconnect, every one of them
        for _ in range(5):
            assert db.rows(_BY_ID, {"customer_id": "FAST3"})[0].id == "FAST3"
    finally:
        db.dispose()
