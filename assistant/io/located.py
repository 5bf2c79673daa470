"""Plain data that remembers where it came from: what every parser produces.

``LDict``/``LStr``/``LList`` carry the source line of mappings, strings and list items,
so the builder can say ``path:line: what is wrong`` about any value.
"""

from __future__ import annotations


class LStr(str):
    """A string that remembers the line it came from."""

    line: int | None = None


class LList(list):
    """A sequence that remembers the line of each item (an empty item has no line of its own)."""

    item_lines: list[int | None] = []


class LDict(dict):
    """A mapping that remembers the line it started on."""

    line: int | None = None


def lstr(value: str, line: int | None) -> LStr:
    s = LStr(value)
    s.line = line
    return s


def line_of(value: object) -> int | None:
    return getattr(value, "line", None)
