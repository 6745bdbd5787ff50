"""Photos customers send, stored with the conversation they belong to."""

from __future__ import annotations

import uuid
from datetime import datetime

from kefu.desk.ports import StoredImage
from kefu.domain.images import ImageFile
from kefu.store.db import Database
from kefu.store.tables.uploads import UploadRow


class SqlUploads:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, conversation_id: str, customer_id: str, image: ImageFile, at: datetime) -> str:
        upload_id = "img_" + uuid.uuid4().hex
        with self.db.session() as s:
            s.add(
                UploadRow(
                    id=upload_id,
                    conversation_id=conversation_id,
                    customer_id=customer_id,
                    content_type=image.content_type,
                    size=image.size,
                    data=image.data,
                    created_at=at,
                )
            )
        return upload_id

    def get(self, upload_id: str) -> StoredImage | None:
        with self.db.session() as s:
            row = s.get(UploadRow, upload_id)
            if row is None:
                return None
            return StoredImage(
                id=row.id,
                conversation_id=row.conversation_id,
                customer_id=row.customer_id,
                content_type=row.content_type,
                data=row.data,
            )
