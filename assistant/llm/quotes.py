"""The spans of a target's text that a finding may quote as its evidence.

The critique's per-set schema makes ``evidence`` an enum of these, so a
grammar-constrained model can only quote (SPEC §5: evidence is an exact substring of
the target's text): the whole text, its clauses (split at commas, semicolons and "and"),
the measure ("from 32% to 50%", "to 50%"), the deadline ("by 30 Jun 2026") and what
comes before them, plus the rules engine's own evidence for the target. Every span is a
slice of the text, trimmed, so each one is verbatim by construction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

QUOTE_CHARS = 240  # the longest span offered (a 35-word KR fits)
MAX_SPANS = 16  # per target: the whole text and its clauses come first

_SEPARATOR = re.compile(r"[,;]|\s(?:and|&)\s", re.IGNORECASE)
_DEADLINE = re.compile(r"\s(?:by|before|until|no later than)\s", re.IGNORECASE)
_FROM_TO = re.compile(r"\bfrom\s+\S.*?\s(to)\s+\S", re.IGNORECASE)
_TO = re.compile(r"\s(to)\s+\S", re.IGNORECASE)
_TRIM = " \t\n\r.,;:!?\"'“”‘’`()[]"


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def _head(text: str, limit: int) -> str:
    """The longest start of ``text`` within ``limit`` characters, cut at a word."""
    cut = text[: limit + 1]
    cut = cut.rsplit(None, 1)[0] if len(text) > limit and " " in cut else cut[:limit]
    start, end = _trimmed(cut, 0, len(cut))
    return cut[start:end]


def _last(matches: Iterator[re.Match[str]]) -> re.Match[str] | None:
    found = None
    for found in matches:  # noqa: B007 - the last one is wanted
        pass
    return found


def _clause_ranges(text: str) -> Iterable[tuple[int, int]]:
    """Ranges of ``text``: the segments between separators, then in each its deadline
    phrase, the measure and the words before them."""
    bounds = [0, *(p for m in _SEPARATOR.finditer(text) for p in (m.start(), m.end())), len(text)]
    for start, end in zip(bounds[::2], bounds[1::2], strict=True):
        yield start, end
        head_end = end
        deadline = _last(_DEADLINE.finditer(text, start, end))
        if deadline is not None:
            yield deadline.start(), end  # "by 30 Jun 2026"
            head_end = deadline.start()
            yield start, head_end
        measure = _FROM_TO.search(text, start, head_end)
        to = measure
        if measure is not None:
            yield measure.start(), head_end  # "from 32% to 50%"
            yield start, measure.start()  # "Raise week-1 activation"
        else:
            to = _last(_TO.finditer(text, start, head_end))
            if to is not None:
                yield start, to.start()  # "Grow ARR"
        if to is not None:
            yield to.start(1), head_end  # "to 50%"


def quotable_spans(text: str, extra: Iterable[str] = ()) -> list[str]:
    """The spans of ``text`` a finding may quote, the whole text first; ``extra``
    (the rules engine's evidence) is offered when it is a substring too."""
    spans: dict[str, None] = {}

    def add(span: str) -> None:
        if span and len(span) <= QUOTE_CHARS and span in text and len(spans) < MAX_SPANS:
            spans.setdefault(span)

    whole = text.strip()
    add(whole if len(whole) <= QUOTE_CHARS else _head(whole, QUOTE_CHARS))
    for start, end in _clause_ranges(text):
        a, b = _trimmed(text, start, end)
        if b - a > QUOTE_CHARS:
            add(_head(text[a:b], QUOTE_CHARS))
        elif a < b:
            add(text[a:b])
    for span in extra:
        add(span)
    return list(spans) or [""]
