"""Counts as people write them: ``1 finding``, ``3 findings``, ``1 key result`` — never
``1 findings`` or ``1 key result(s)``. The one helper every renderer counts with."""

from __future__ import annotations

from collections.abc import Mapping


def plural(count: int | float, one: str, many: str | None = None) -> str:
    """``one`` when ``count`` is exactly 1, else ``many`` (default: ``one`` + ``s``)."""
    return one if count == 1 else (many if many is not None else f"{one}s")


def counted(count: int, one: str, many: str | None = None) -> str:
    """``1 KR``, ``3 KRs``, ``2 key results``, ``1 check-in``; ``many`` for irregular
    plurals (``counted(n, "retrospective", "retrospectives")``, ``"reply", "replies"``)."""
    return f"{count} {plural(count, one, many)}"


def report_counts(summary: Mapping[str, int]) -> tuple[str, ...]:
    """A critique report's ``summary()`` as words: ``1 set``, ``2 objectives``,
    ``5 key results``, ``1 finding`` (the text, Markdown and streamed reports join them)."""
    return (
        counted(summary["sets"], "set"),
        counted(summary["objectives"], "objective"),
        counted(summary["key_results"], "key result"),
        counted(summary["findings"], "finding"),
    )
