"""What an agent sees of personal data when the task does not need all of it."""

from __future__ import annotations

from enum import StrEnum

from kefu.domain.customers import mask_phone

# enough of an address to tell "same city?" without being able to find the door
_ADDRESS_KEEP = 6


class PersonalField(StrEnum):
    PHONE = "phone"
    ADDRESS = "address"


def mask_address(address: str) -> str:
    text = address.strip()
    if not text:
        return ""
    return text[:_ADDRESS_KEEP] + "****" if len(text) > _ADDRESS_KEEP else "****"


def mask(field: PersonalField, value: str) -> str:
    return mask_phone(value) if field is PersonalField.PHONE else mask_address(value)
