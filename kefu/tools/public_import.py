"""Derive the shipped public-data subsets (data/nlu/public/*.tsv) from the original datasets.

Run once by a maintainer: `python -m kefu.tools.public_import ../shared/data`. The output ships
with the project under its licences (data/licenses/), so training never needs the originals.
"""

from __future__ import annotations

import csv
import json
import random
import sys
from pathlib import Path

from kefu.nlu.lexicon import nlu_data_dir

# Bitext intent -> contract label; intents with no clear counterpart are left out.
BITEXT_MAP = {
    "cancel_order": "cancel_order",
    "check_cancellation_fee": "cancel_order",
    "change_shipping_address": "change_address",
    "set_up_shipping_address": "change_address",
    "check_invoice": "invoice",
    "get_invoice": "invoice",
    "check_payment_methods": "payment",
    "payment_issue": "payment",
    "check_refund_policy": "return_refund",
    "get_refund": "return_refund",
    "track_refund": "refund_status",
    "complaint": "complaint",
    "contact_customer_service": "human_agent",
    "contact_human_agent": "human_agent",
    "create_account": "account",
    "delete_account": "account",
    "edit_account": "account",
    "recover_password": "account",
    "registration_problems": "account",
    "switch_account": "account",
    "delivery_period": "logistics",
    "delivery_options": "logistics",
    "track_order": "order_status",
}
BITEXT_PER_INTENT = 45

# CLINC150 intents that overlap the shop's own labels are not "other".
CLINC_EXCLUDE = {
    "order",
    "order_status",
    "order_checks",
    "shopping_list",
    "shopping_list_update",
    "pay_bill",
    "bill_balance",
    "bill_due",
    "greeting",
    "goodbye",
    "thank_you",
    "are_you_a_bot",
    "cancel",
    "report_fraud",
    "damaged_card",
    "replacement_card_duration",
    "expiration_date",
    "pin_change",
    "freeze_account",
    "credit_limit_change",
    "user_name",
    "change_user_name",
    "yes",
    "no",
    "maybe",
    "repeat",
    "rewards_balance",
    "redeem_rewards",
    "transactions",
    "card_declined",
    "improve_credit_score",
    "reset_settings",
    "sync_device",
    "what_can_i_ask_you",
    "who_made_you",
    "what_is_your_name",
    "how_old_are_you",
    "where_are_you_from",
    "tell_joke",
    "fun_fact",
}
CLINC_PER_INTENT = 3


def import_bitext(source: Path, rng: random.Random) -> list[tuple[str, str]]:
    by_intent: dict[str, list[str]] = {}
    with source.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            label = BITEXT_MAP.get(row["intent"])
            if label:
                by_intent.setdefault(row["intent"], []).append(row["utterance"].strip())
    rows: list[tuple[str, str]] = []
    for intent in sorted(by_intent):
        texts = sorted(set(by_intent[intent]))
        rng.shuffle(texts)
        rows.extend((t, BITEXT_MAP[intent]) for t in texts[:BITEXT_PER_INTENT])
    return rows


def import_clinc(source: Path, rng: random.Random) -> list[tuple[str, str]]:
    data = json.loads(source.read_text(encoding="utf-8"))
    rows = [(text, "other") for text, _ in data["oos_train"] + data["oos_val"]]
    by_intent: dict[str, list[str]] = {}
    for text, intent in data["train"]:
        if intent not in CLINC_EXCLUDE:
            by_intent.setdefault(intent, []).append(text)
    for intent in sorted(by_intent):
        texts = by_intent[intent]
        rng.shuffle(texts)
        rows.extend((t, "other") for t in texts[:CLINC_PER_INTENT])
    return rows


def _write(path: Path, rows: list[tuple[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter="\t", lineterminator="\n")
        for text, label in rows:
            writer.writerow([text.replace("\t", " ").replace("\n", " "), label])


def main(shared: Path) -> None:
    rng = random.Random(7)
    out = nlu_data_dir() / "public"
    _write(
        out / "bitext.tsv",
        import_bitext(shared / "bitext/Bitext_Sample_Customer_Service_Training_Dataset.csv", rng),
    )
    _write(out / "clinc150.tsv", import_clinc(shared / "clinc150/data_full.json", rng))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data"))
