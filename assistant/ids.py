"""Target ids (SPEC §3): ``SET``, ``O1``, ``O1.KR2`` — parsed once, compared as values.

Every place that names a part of a set (findings, rewrites, reviews, check-ins)
holds a ``TargetId`` or its text; nobody slices ``"O1.KR2"`` by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_ID = re.compile(
    r"^\s*(?:(?P<set>SET)|O(?P<obj>[1-9]\d{0,5})(?:\.KR(?P<kr>[1-9]\d{0,5}))?)\s*$", re.I
)

TargetKind = Literal["set", "objective", "key_result"]


@dataclass(frozen=True, order=False)
class TargetId:
    """The set itself (``objective == 0``), an objective (``kr == 0``) or a key result."""

    objective: int = 0
    kr: int = 0

    @classmethod
    def parse(cls, text: str) -> TargetId:
        """``"O1.kr2"`` → ``TargetId(1, 2)``; ValueError for anything that is not an id."""
        match = _ID.match(text or "")
        if match is None:
            raise ValueError(f"'{text}' is not a target id (SET, O1 or O1.KR2)")
        if match.group("set"):
            return SET
        return cls(int(match.group("obj")), int(match.group("kr") or 0))

    @classmethod
    def try_parse(cls, text: str) -> TargetId | None:
        try:
            return cls.parse(text)
        except ValueError:
            return None

    @classmethod
    def of_objective(cls, objective: int) -> TargetId:
        return cls(objective, 0)

    @classmethod
    def of_kr(cls, objective: int, kr: int) -> TargetId:
        return cls(objective, kr)

    @property
    def kind(self) -> TargetKind:
        if self.objective == 0:
            return "set"
        return "objective" if self.kr == 0 else "key_result"

    @property
    def is_set(self) -> bool:
        return self.objective == 0

    @property
    def is_objective(self) -> bool:
        return self.objective > 0 and self.kr == 0

    @property
    def is_key_result(self) -> bool:
        return self.kr > 0

    @property
    def parent(self) -> TargetId:
        """The objective of a key result; the set for an objective or the set."""
        return TargetId(self.objective, 0) if self.kr else SET

    def sort_key(self) -> tuple[int, int, int]:
        """Document order: the set, then each objective followed by its key results."""
        return (0, 0, 0) if self.is_set else (1, self.objective, self.kr)

    def __str__(self) -> str:
        if self.is_set:
            return "SET"
        return f"O{self.objective}" + (f".KR{self.kr}" if self.kr else "")

    def __lt__(self, other: TargetId) -> bool:
        return self.sort_key() < other.sort_key()


SET = TargetId(0, 0)


def target_order(target: str) -> tuple[int, int, int]:
    """Sort key for a target id given as text; unknown ids sort last."""
    parsed = TargetId.try_parse(target)
    return parsed.sort_key() if parsed is not None else (2, 0, 0)
