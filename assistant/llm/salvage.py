"""The complete part of a JSON answer that was cut off at the output token limit.

Small models under a grammar often repeat list items until the token limit: the answer
stops mid-item, but the items before it are whole. Closing the JSON after the last
complete list item keeps them (the guards still check every one) instead of paying for
another long answer on a CPU.

pydantic_core's partial parser does the parsing: its ``allow_partial`` result gives the
shape of the containers still open at a cut, and a strict parse of the cut closed with
exactly those brackets proves the cut was after a whole list item (not inside a string,
not after an object's value, not after a half-written number).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic_core import from_json

MAX_TRIES = 16  # closing brackets tried, last first: a few items back is plenty


def complete_prefix(text: str) -> Any | None:
    """The parsed JSON of ``text`` cut after its last complete list item and closed, or
    None when no list item was completed (nothing worth keeping)."""
    ends = [i + 1 for i, ch in enumerate(text) if ch in "]}"]
    for end in reversed(ends[-MAX_TRIES:]):
        head = text[:end] + "]"  # closes the list the item sits in, if it sits in one
        try:
            shape = from_json(head, allow_partial=True)
        except ValueError:
            continue
        for closing in _closings(shape):
            try:
                return from_json(head + closing)
            except ValueError:
                continue
    return None


def _closings(value: Any) -> Iterator[str]:
    """Bracket sequences closing the first 0, 1, 2… containers along the last-written
    path of ``value``: one of them matches the brackets a cut text leaves open."""
    closing = ""
    yield closing
    while isinstance(value, dict | list):
        closing = ("}" if isinstance(value, dict) else "]") + closing
        yield closing
        if not value:
            return
        value = value[next(reversed(value))] if isinstance(value, dict) else value[-1]
