"""The one place that decides which characters may reach a terminal.

Text from a file, a model or a database can carry terminal controls: ESC sequences
(OSC 52 writes the clipboard, OSC 8 makes hyperlinks, OSC 0 sets the window title),
C1 controls (``\\x9b`` is a one-byte CSI), backspaces that hide what came before, and
bidi overrides that reorder what the eye reads. Readers refuse such text
(:func:`find_control`); renderers show it as visible escapes (:func:`safe_text`), so
the terminal only ever sees printable characters, tabs and newlines.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 except tab and newline, DEL, C1, bidi embeddings/overrides and isolates, and the
# line/paragraph separators some terminals treat as newlines. A CR is only allowed as
# part of a CRLF line ending.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]|\r(?!\n)"
)
_NON_ASCII_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
# The characters alone: one class scans megabytes of report 3x faster than ``_UNSAFE``.
_UNSAFE_CHAR = re.compile(
    "[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def escape_char(char: str) -> str:
    """``\\x1b`` for a byte-sized code point, ``\\u202e`` above; what the user sees instead."""
    code = ord(char)
    if char == "\r":
        return "\\r"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def describe(char: str) -> str:
    """``U+001B``: how a message names a refused character."""
    return f"U+{ord(char):04X}"


def find_control(text: str) -> int | None:
    """Index of the first character a terminal could act on, or None when the text is safe."""
    match = _UNSAFE.search(text)
    return match.start() if match else None


def is_safe(text: str) -> bool:
    if "\r" not in text:
        return _UNSAFE_CHAR.search(text) is None
    return _UNSAFE.search(text) is None


def safe_text(text: str) -> str:
    """Text with every control character shown as a visible escape (``\\x1b``, ``\\u202e``)."""
    if is_safe(text):
        return text
    return _UNSAFE.sub(lambda m: escape_char(m.group()), text)


def safe_line(text: str) -> str:
    """:func:`safe_text` for a one-line message: line breaks shown as ``\\n`` too, so a
    quoted name or a file name with a newline in it cannot add lines to an error."""
    return safe_text(text).replace("\r\n", "\\r\\n").replace("\n", "\\n")


def safe_value(value: Any) -> Any:
    """:func:`safe_text` applied to every string inside plain data (lists, dicts)."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict):
        return {safe_value(k): safe_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [safe_value(v) for v in value]
    return value


def json_safe(text: str) -> str:
    """JSON text with the controls ``json.dumps`` leaves raw (C1, DEL, bidi) as ``\\uXXXX``.

    Lossless: a JSON parser reads back the very same strings.
    """
    return _NON_ASCII_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def dumps(data: Any, **kwargs: Any) -> str:
    """``json.dumps`` whose output is safe on a terminal and still means the same data."""
    return json_safe(json.dumps(data, **kwargs))
