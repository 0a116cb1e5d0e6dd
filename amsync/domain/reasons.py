"""Counts by reason, each with its first few examples: what an import skipped, what a push did
not send."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final, Generic, TypeVar

EXAMPLES: Final = 5

ExampleT = TypeVar("ExampleT")


@dataclass
class ReasonCounts(Generic[ExampleT]):
    """How many of each reason, and the first ``EXAMPLES`` examples of each."""

    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[ExampleT]] = field(default_factory=dict)

    def add(self, reason: str, example: ExampleT) -> None:
        self.counts[reason] += 1
        shown = self.examples.setdefault(reason, [])
        if len(shown) < EXAMPLES:
            shown.append(example)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_list(self) -> list[dict[str, Any]]:
        """Most frequent reason first."""
        return [
            {"reason": reason, "count": count, "examples": self.examples.get(reason, [])}
            for reason, count in self.counts.most_common()
        ]
