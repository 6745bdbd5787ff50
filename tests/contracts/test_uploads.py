"""Uploads (kefu.desk.ports): the photos customers send, byte for byte, on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from kefu.domain.images import ImageFile
from kefu.store.db import Database
from kefu.store.upload_repo import SqlUploads

# a PNG signature and every byte value, so no encoding on the way may alter them
PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def test_a_photo_reads_back_byte_for_byte_with_its_conversation(
    store_db: Database, new_customer: Callable[[], str], new_conversation: Callable[..., str]
) -> None:
    customer = new_customer()
    conversation = new_conversation(customer)
    uploads = SqlUploads(store_db)
    upload_id = uploads.add(
        conversation, customer, ImageFile("image/png", PHOTO), datetime.now(UTC)
    )
    other_id = uploads.add(
        conversation, customer, ImageFile("image/gif", b"GIF89a"), datetime.now(UTC)
    )
    assert upload_id != other_id
    stored = SqlUploads(store_db).get(upload_id)
    assert stored is not None
    assert (stored.conversation_id, stored.customer_id, stored.content_type, stored.data) == (
        conversation,
        customer,
        "image/png",
        PHOTO,
    )
    assert uploads.get("img_" + "0" * 32) is None
