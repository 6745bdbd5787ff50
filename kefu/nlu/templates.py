"""Expansion of training templates: `[a|b|]` alternatives and `{slot}` fillers.

A template line such as `[亲 |]{product}[咋|怎么]还没到` stands for every combination; a fixed-seed
sample of them keeps each template's weight bounded so no single pattern dominates a label.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterable, Mapping, Sequence

_PART = re.compile(r"\[([^\[\]]*)\]|\{(\w+)\}")


def _choices(template: str, slots: Mapping[str, Sequence[str]]) -> list[list[str]]:
    parts: list[list[str]] = []
    pos = 0
    for m in _PART.finditer(template):
        if m.start() > pos:
            parts.append([template[pos : m.start()]])
        if m.group(1) is not None:
            alternatives: list[str] = []
            for alt in m.group(1).split("|"):
                # A slot inside an alternative ("[便宜了{amount}|降了]") expands in place.
                if "{" in alt:
                    alternatives.extend(
                        "".join(c) for c in itertools.product(*_choices(alt, slots))
                    )
                else:
                    alternatives.append(alt)
            parts.append(alternatives)
        else:
            name = m.group(2)
            if name not in slots:
                raise KeyError(f"unknown slot {{{name}}} in template {template!r}")
            parts.append(list(slots[name]))
        pos = m.end()
    if pos < len(template):
        parts.append([template[pos:]])
    return parts


def expand(
    template: str, slots: Mapping[str, Sequence[str]], limit: int, rng: random.Random
) -> list[str]:
    """Up to `limit` distinct expansions of one template line."""
    parts = _choices(template, slots)
    total = 1
    for p in parts:
        total *= len(p)
    if total <= limit:
        return ["".join(c).strip() for c in itertools.product(*parts)]
    seen: set[str] = set()
    for _ in range(limit * 4):
        seen.add("".join(rng.choice(p) for p in parts).strip())
        if len(seen) >= limit:
            break
    return sorted(seen)


def expand_lines(
    lines: Iterable[str], slots: Mapping[str, Sequence[str]], limit: int, seed: int
) -> list[tuple[int, str]]:
    """(line number, text) for every expansion of every non-comment line.

    A line may start with `N:` to override its limit.
    """
    rng = random.Random(seed)
    out: list[tuple[int, str]] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line_limit = limit
        m = re.match(r"^(\d+):", line)
        if m:
            line_limit = int(m.group(1))
            line = line[m.end() :]
        out.extend((number, e) for e in expand(line, slots, line_limit, rng) if e)
    return out
