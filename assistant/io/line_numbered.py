"""Plain data that remembers where it came from: what every parser produces.

``LDict``/``LStr``/``LList`` carry the source line of mappings, strings and list items,
so the builder can say ``path:line: what is wrong`` about any value.
"""

from __future__ import annotations

import re

# An OKR file nests six levels (sets, objectives, key results, a source); anything far
# deeper is refused with its line before a recursive walk could run out of stack.
MAX_DEPTH = 64
# A whole number longer than this is no measure of anything (Python refuses to convert
# more than 4,300 digits, and floats end near 309).
MAX_NUMBER_DIGITS = 1_000
_QUOTE_LIMIT = 60


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


def quoted(value: object) -> str:
    """User text inside a message: in quotes, controls and line breaks shown as escapes,
    long text cut."""
    from assistant.domain.text_safety import safe_line

    text = safe_line(str(value))
    if len(text) > _QUOTE_LIMIT:
        text = text[: _QUOTE_LIMIT - 1] + "…"
    return f"'{text}'"


_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogate(text: str) -> bool:
    """A lone surrogate (JSON's ``"\\ud800"``): no character at all, and no UTF-8 for it."""
    return _SURROGATE.search(text) is not None


_FIELD_NAMES = {"text": "key result text", "title": "objective title", "name": "set name"}


def check_controls(tree: object, label: str, line: int | None = None, field: str = "") -> None:
    """Refuse text a terminal could act on (ESC, C1, backspace, bidi overrides…).

    Runs on parsed data, so JSON ``\\u001b`` escapes and YAML ``\\e`` are caught as well as
    raw bytes: ``path:line: control character U+001B in key result text``.
    """
    from assistant.domain.text_safety import describe, find_control
    from assistant.errors import InputError

    if isinstance(tree, str):
        at = find_control(tree)
        where = _FIELD_NAMES.get(field, field or "text")
        if at is not None:
            raise InputError(
                label, f"control character {describe(tree[at])} in {where}", line_of(tree) or line
            )
        lone = _SURROGATE.search(tree)
        if lone is not None:  # JSON's "\ud800": no character at all, and no UTF-8 for it
            raise InputError(
                label,
                f"a lone surrogate {describe(lone.group())} in {where} (not a character)",
                line_of(tree) or line,
            )
    elif isinstance(tree, dict):
        here = line_of(tree) or line
        for key, value in tree.items():
            check_controls(key, label, here, "a key")
            check_controls(value, label, line_of(value) or here, str(key))
    elif isinstance(tree, list):
        lines = getattr(tree, "item_lines", [])
        for i, item in enumerate(tree):
            item_line = lines[i] if i < len(lines) else None
            check_controls(item, label, line_of(item) or item_line or line, field)
