"""Intent and entity evaluation on a JSONL file of {"text", "intent", "entities", "lang"} rows."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kefu.nlu.pipeline import Understanding


class Parser(Protocol):
    def parse(self, text: str) -> Understanding: ...


class FeatureSource(Protocol):
    def features(self, text: str) -> list[str]: ...


_CALIBRATION_BINS = 10


@dataclass(frozen=True, slots=True)
class LabelScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(slots=True)
class EvalReport:
    total: int = 0
    correct: int = 0
    by_label: dict[str, LabelScore] = field(default_factory=dict)
    by_lang: dict[str, tuple[int, int]] = field(default_factory=dict)  # lang -> (correct, total)
    by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (correct, total)
    entity_rows: int = 0
    entity_exact: int = 0
    confusions: list[tuple[str, str, int]] = field(default_factory=list)  # (gold, predicted, n)
    errors: list[dict[str, Any]] = field(default_factory=list)
    # (confidence, correct) of every row: how far confidence is from the accuracy it promises
    scored: list[tuple[float, bool]] = field(default_factory=list)

    @property
    def calibration_error(self) -> float:
        """Expected calibration error: |confidence - accuracy| averaged over confidence bins."""
        if not self.scored:
            return 0.0
        bins = _CALIBRATION_BINS
        totals: dict[int, list[tuple[float, bool]]] = {}
        for conf, ok in self.scored:
            totals.setdefault(min(int(conf * bins), bins - 1), []).append((conf, ok))
        gap = 0.0
        for rows in totals.values():
            mean_conf = sum(c for c, _ in rows) / len(rows)
            accuracy = sum(1 for _, ok in rows if ok) / len(rows)
            gap += len(rows) * abs(mean_conf - accuracy)
        return gap / len(self.scored)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def entity_exact_match(self) -> float:
        return self.entity_exact / self.entity_rows if self.entity_rows else 1.0

    def lang_accuracy(self, lang: str) -> float:
        ok, n = self.by_lang.get(lang, (0, 0))
        return ok / n if n else 0.0

    def kind_accuracy(self, kind: str) -> float:
        ok, n = self.by_kind.get(kind, (0, 0))
        return ok / n if n else 0.0


def row_kinds(row: dict[str, Any]) -> list[str]:
    """The kinds a row is labelled with: `kinds` (a list), `kind` or `style` (one name).

    A set may label none. A row counts once under each of its kinds.
    """
    raw = row.get("kinds", row.get("kind", row.get("style")))
    if raw is None:
        return []
    kinds = [raw] if isinstance(raw, str) else [str(k) for k in raw]
    return [k for k in dict.fromkeys(kinds) if k]


def _entities_match(expected: dict[str, Any], got: dict[str, Any]) -> bool:
    """Every entity the file gives is found with the same value (extra entities are not errors)."""
    return all(str(got.get(k)) == str(v) for k, v in expected.items())


def evaluate_intents(pipeline: Parser, path: Path) -> EvalReport:
    rows = [
        json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line
    ]
    report = EvalReport()
    gold_counts: Counter[str] = Counter()
    pred_counts: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    confusions: Counter[tuple[str, str]] = Counter()
    for row in rows:
        u = pipeline.parse(row["text"])
        gold, pred = row["intent"], u.intent
        lang = row.get("lang", u.lang)
        ok_lang, n_lang = report.by_lang.get(lang, (0, 0))
        report.total += 1
        report.scored.append((u.confidence, gold == pred))
        gold_counts[gold] += 1
        pred_counts[pred] += 1
        if gold == pred:
            report.correct += 1
            hits[gold] += 1
            ok_lang += 1
        else:
            confusions[(gold, pred)] += 1
            report.errors.append(
                {"text": row["text"], "gold": gold, "predicted": pred, "confidence": u.confidence}
            )
        report.by_lang[lang] = (ok_lang, n_lang + 1)
        for kind in row_kinds(row):
            ok_kind, n_kind = report.by_kind.get(kind, (0, 0))
            report.by_kind[kind] = (ok_kind + (gold == pred), n_kind + 1)
        expected = row.get("entities") or {}
        if expected:
            report.entity_rows += 1
            if _entities_match(expected, u.entities):
                report.entity_exact += 1
            else:
                report.errors.append({"text": row["text"], "entities": expected, "got": u.entities})
    for label in sorted(set(gold_counts) | set(pred_counts)):
        p = hits[label] / pred_counts[label] if pred_counts[label] else 0.0
        r = hits[label] / gold_counts[label] if gold_counts[label] else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        report.by_label[label] = LabelScore(p, r, f1, gold_counts[label])
    report.confusions = [(g, p, n) for (g, p), n in confusions.most_common(10)]
    return report


def format_report(report: EvalReport) -> str:
    lines = [
        f"intent accuracy: {report.accuracy:.3f} ({report.correct}/{report.total})",
        "per language: "
        + ", ".join(
            f"{lang} {report.lang_accuracy(lang):.3f} ({n})"
            for lang, (_, n) in sorted(report.by_lang.items())
        ),
        f"entity exact-match: {report.entity_exact_match:.3f} "
        f"({report.entity_exact}/{report.entity_rows} rows with entities)",
        "",
        f"{'label':<18}{'prec':>7}{'rec':>7}{'f1':>7}{'n':>5}",
    ]
    if report.scored:
        mean_conf = sum(c for c, _ in report.scored) / len(report.scored)
        lines.insert(
            2,
            f"confidence: mean {mean_conf:.3f}, "
            f"expected calibration error {report.calibration_error:.3f}",
        )
    if report.by_kind:
        lines[2:2] = [
            "per kind: "
            + ", ".join(
                f"{kind} {report.kind_accuracy(kind):.3f} ({n})"
                for kind, (_, n) in sorted(report.by_kind.items())
            )
        ]
    for label, s in report.by_label.items():
        lines.append(f"{label:<18}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}{s.support:>5}")
    if report.confusions:
        lines += ["", "top confusions (gold -> predicted):"]
        lines += [f"  {g} -> {p}: {n}" for g, p, n in report.confusions]
    if report.errors:
        lines += ["", "errors:"]
        for e in report.errors[:40]:
            lines.append("  " + json.dumps(e, ensure_ascii=False))
    return "\n".join(lines)


def group_holdout_accuracy(pipeline: FeatureSource, share: float = 0.2) -> dict[str, float]:
    """Accuracy on whole template lines held out of training, per data source.

    The shipped data is templated, so a random split would leak phrasings; holding out whole lines
    estimates how the model does on phrasings it has never seen.
    """
    from kefu.nlu.intent_model import held_out_mask, train_intent_model
    from kefu.nlu.labels import INTENT_LABELS
    from kefu.nlu.training_data import load_training_set

    examples = load_training_set()
    held = held_out_mask([e.group for e in examples], share, seed=99)
    docs = [pipeline.features(e.text) for e in examples]
    train_idx = [i for i, h in enumerate(held) if not h]
    model = train_intent_model(
        [docs[i] for i in train_idx],
        [examples[i].label for i in train_idx],
        [examples[i].group for i in train_idx],
        INTENT_LABELS,
    )
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for i, h in enumerate(held):
        if not h:
            continue
        source = examples[i].source
        probs = model.probabilities(docs[i])
        totals[source] += 1
        totals["all"] += 1
        if model.labels[int(probs.argmax())] == examples[i].label:
            hits[source] += 1
            hits["all"] += 1
    return {s: hits[s] / totals[s] for s in sorted(totals)}
