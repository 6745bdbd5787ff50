import json
from pathlib import Path

from kefu.nlu import NluPipeline
from kefu.tools.nlu_eval import evaluate_intents, format_report


def test_report_counts_accuracy_languages_entities_and_confusions(
    nlu: NluPipeline, tmp_path: Path
) -> None:
    rows = [
        {"text": "转人工", "intent": "human_agent", "entities": {}, "lang": "zh-CN"},
        {
            "text": "ZT7788990011 到哪了",
            "intent": "logistics",
            "entities": {"tracking_no": "ZT7788990011"},
            "lang": "zh-CN",
        },
        {"text": "thanks a lot", "intent": "cancel_order", "entities": {}, "lang": "en"},
    ]
    path = tmp_path / "mini.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    report = evaluate_intents(nlu, path)
    assert report.total == 3 and report.correct == 2
    assert report.lang_accuracy("en") == 0.0 and report.lang_accuracy("zh-CN") == 1.0
    assert report.entity_exact_match == 1.0
    assert report.confusions == [("cancel_order", "greeting", 1)]
    text = format_report(report)
    assert "intent accuracy: 0.667" in text and "cancel_order -> greeting: 1" in text


def test_report_counts_accuracy_per_kind_when_a_set_labels_kinds(
    nlu: NluPipeline, tmp_path: Path
) -> None:
    rows = [
        {"text": "转人工", "intent": "human_agent", "lang": "zh-CN", "kinds": ["terse"]},
        {"text": "转人工吧", "intent": "human_agent", "lang": "zh-CN", "style": "terse"},
        {"text": "thanks a lot", "intent": "cancel_order", "lang": "en", "kinds": ["terse", "x"]},
        {"text": "物流到哪了", "intent": "logistics", "lang": "zh-CN"},
    ]
    path = tmp_path / "kinds.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    report = evaluate_intents(nlu, path)
    assert report.by_kind == {"terse": (2, 3), "x": (0, 1)}
    assert "per kind: terse 0.667 (3), x 0.000 (1)" in format_report(report)


def test_calibration_error_is_the_gap_between_confidence_and_accuracy() -> None:
    from kefu.tools.nlu_eval import EvalReport

    honest = EvalReport(scored=[(0.95, True)] * 19 + [(0.95, False)])
    assert honest.calibration_error < 0.01
    overconfident = EvalReport(scored=[(0.99, True), (0.99, False)])
    assert abs(overconfident.calibration_error - 0.49) < 1e-9
