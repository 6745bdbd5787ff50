"""Uncovered questions grouped by meaning and ranked by how often customers ask them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from kefu.knowledge.ports import UncoveredQuestion


@dataclass(frozen=True)
class GapCluster:
    representative: str
    count: int
    examples: tuple[str, ...]
    langs: tuple[str, ...]
    first_at: datetime
    last_at: datetime
    nearest_entry_id: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "representative": self.representative,
            "count": self.count,
            "examples": list(self.examples),
            "langs": list(self.langs),
            "first_at": self.first_at.isoformat(),
            "last_at": self.last_at.isoformat(),
            "nearest_entry_id": self.nearest_entry_id,
        }


def cluster_gaps(
    questions: Sequence[UncoveredQuestion],
    vectors: np.ndarray,
    *,
    similarity: float = 0.7,
    limit: int = 20,
    max_examples: int = 5,
) -> list[GapCluster]:
    """Greedy single pass: a question joins the most similar cluster centroid above
    ``similarity`` or starts its own; clusters are ranked by size, then recency."""
    members: list[list[int]] = []
    sums: list[np.ndarray] = []
    for i, vec in enumerate(vectors):
        best, best_sim = -1, similarity
        if sums:
            centroids = np.stack(sums)
            centroids /= np.linalg.norm(centroids, axis=1, keepdims=True) + 1e-9
            sims = centroids @ vec
            j = int(np.argmax(sims))
            if sims[j] >= best_sim:
                best = j
        if best < 0:
            members.append([i])
            sums.append(vec.astype(np.float32).copy())
        else:
            members[best].append(i)
            sums[best] += vec
    clusters = [_summarize([questions[i] for i in m], max_examples) for m in members]
    clusters.sort(key=lambda c: (-c.count, -c.last_at.timestamp()))
    return clusters[:limit]


def _summarize(group: list[UncoveredQuestion], max_examples: int) -> GapCluster:
    texts = Counter(q.normalized for q in group)
    representative_norm = texts.most_common(1)[0][0]
    representative = next(q.text for q in group if q.normalized == representative_norm)
    examples = tuple(dict.fromkeys(q.text for q in group))[:max_examples]
    nearest = Counter(q.best_entry_id for q in group if q.best_entry_id).most_common(1)
    return GapCluster(
        representative=representative,
        count=len(group),
        examples=examples,
        langs=tuple(sorted({q.lang for q in group})),
        first_at=min(q.at for q in group),
        last_at=max(q.at for q in group),
        nearest_entry_id=nearest[0][0] if nearest else None,
    )
