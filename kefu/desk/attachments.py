"""Photos a customer sends: stored, shown as a message in the conversation, and readable only by
that customer and by the agents who may read the conversation."""

from __future__ import annotations

from datetime import datetime

from kefu.desk.access import CheckAccess
from kefu.desk.errors import Unavailable, Unknown, WrongState
from kefu.desk.events import conversation_channel, message_dict
from kefu.desk.outbox import Outbox
from kefu.desk.policy import DeskPolicy
from kefu.desk.ports import StoredImage, Uploads
from kefu.desk.texts import render
from kefu.domain.conversations import ConversationStatus, Message, Sender
from kefu.domain.desk import Agent
from kefu.domain.images import ImageFile
from kefu.domain.ports import ConversationStore


class Attachments:
    def __init__(
        self,
        *,
        uploads: Uploads | None,
        conversations: ConversationStore,
        policy: DeskPolicy,
        outbox: Outbox,
        check_access: CheckAccess,
    ) -> None:
        self.uploads = uploads  # None: photos cannot be stored on this desk
        self.conversations = conversations
        self.policy = policy
        self.outbox = outbox
        self.check_access = check_access

    def receive(
        self, conversation_id: str, customer_id: str, image: ImageFile, at: datetime
    ) -> Message:
        uploads = self.uploads
        if uploads is None:
            raise Unavailable("photos cannot be stored here")
        conversation = self.conversations.get(conversation_id)
        # someone else's conversation looks exactly like one that does not exist
        if conversation is None or conversation.customer_id != customer_id:
            raise Unknown(f"no conversation {conversation_id} for this customer")
        if conversation.status is ConversationStatus.CLOSED:
            raise WrongState("this conversation is closed; start a new one to send a photo")
        upload_id = uploads.add(conversation_id, customer_id, image, at)
        message = self.conversations.append_message(
            conversation_id,
            Sender.CUSTOMER,
            render(self.policy.messages, "image_label", conversation.lang),
            at,
            kind="image",
            channel=conversation.channel,
            meta={
                "image": {"id": upload_id, "content_type": image.content_type, "size": image.size}
            },
        )
        self.outbox.publish(
            conversation_channel(conversation_id), {"type": "message", **message_dict(message)}
        )
        return message

    def for_customer(self, upload_id: str, customer_id: str) -> StoredImage:
        stored = self.uploads.get(upload_id) if self.uploads else None
        if stored is None or stored.customer_id != customer_id:
            raise Unknown("no such image")
        return stored

    def for_agent(self, agent: Agent, upload_id: str) -> StoredImage:
        stored = self.uploads.get(upload_id) if self.uploads else None
        if stored is None:
            raise Unknown("no such image")
        self.check_access(agent, stored.conversation_id)
        return stored
