"""Keys for personal data: AES-GCM with a key id per value, rotation, keyed lookup hashes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kefu.config import Mode, Settings
from kefu.privacy.keyring import DataKeyError, DataKeyring, normalize_phone
from tests.conftest import PRODUCTION_SECRETS

OLD, NEW = DataKeyring.generate(), DataKeyring.generate()


def test_a_value_reads_back_and_its_ciphertext_names_the_key() -> None:
    ring = DataKeyring.parse(f"k2:{NEW}")
    stored = ring.encrypt("13800001001", "customers.phone")
    assert "13800001001" not in stored and stored.startswith("enc1:k2:")
    assert ring.decrypt(stored, "customers.phone") == "13800001001"
    # a fresh nonce each time: equal phones do not give equal ciphertexts
    assert ring.encrypt("13800001001", "customers.phone") != stored


def test_after_a_rotation_old_values_read_and_new_ones_use_the_new_key() -> None:
    old = DataKeyring.parse(f"k1:{OLD}")
    written_before = old.encrypt("上海市浦东新区世纪大道100号", "orders.address")
    rotated = DataKeyring.parse(f"k2:{NEW},k1:{OLD}")
    assert rotated.decrypt(written_before, "orders.address") == "上海市浦东新区世纪大道100号"
    assert rotated.needs_rekey(written_before)
    assert rotated.encrypt("x", "orders.address").startswith("enc1:k2:")
    with pytest.raises(DataKeyError, match="k1"):
        DataKeyring.parse(f"k2:{NEW}").decrypt(written_before, "orders.address")


def test_a_ciphertext_moved_to_another_column_does_not_decrypt() -> None:
    ring = DataKeyring.parse(NEW)
    with pytest.raises(DataKeyError):
        ring.decrypt(ring.encrypt("13800001001", "customers.phone"), "orders.address")


def test_phone_lookup_hashes_ignore_format_and_survive_a_rotation() -> None:
    old = DataKeyring.parse(f"k1:{OLD}")
    stored_hash = old.lookup_hash(normalize_phone("13800001001"))
    rotated = DataKeyring.parse(f"k2:{NEW},k1:{OLD}")
    assert stored_hash in rotated.lookup_hashes(normalize_phone("+86 138-0000-1001"))
    assert stored_hash != rotated.lookup_hash("13800001001")  # the hash is keyed, not plain sha


@pytest.mark.parametrize(
    "setting", ["short", "k1:" + "A" * 10, "bad id!:" + NEW, f"a:{NEW},a:{OLD}"]
)
def test_malformed_keys_are_refused_at_start(setting: str) -> None:
    with pytest.raises(ValidationError):
        Settings(data_key=setting)


def test_production_refuses_to_start_without_a_data_key() -> None:
    with pytest.raises(ValidationError, match="KEFU_DATA_KEY"):
        Settings(mode=Mode.PRODUCTION, **PRODUCTION_SECRETS, data_key=None)
    # demo mode derives one, so `make run` needs no setup
    assert Settings(mode=Mode.DEMO, data_key=None).data_keyring().current.key_id == "demo"
