"""The complete part of a JSON answer that was cut off at the output token limit.

Small models under a grammar often repeat list items until the token limit: the answer
stops mid-item, but the items before it are whole. Closing the JSON after the last
complete list item keeps them (the guards still check every one) instead of paying for
another long answer on a CPU.
"""

from __future__ import annotations

import json
from typing import Any

_CLOSE = {"[": "]", "{": "}"}
MAX_TRIES = 8


def complete_prefix(text: str) -> Any | None:
    """The parsed JSON of ``text`` cut after its last complete list item and closed, or
    None when no list item was completed (nothing worth keeping)."""
    cuts: list[tuple[int, str]] = []  # (end of a complete list item, brackets to close)
    stack: list[str] = []
    in_string = escaped = False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "[{":
            stack.append(ch)
        elif ch in "]}":
            if not stack or _CLOSE[stack.pop()] != ch:
                return None  # not the JSON we sent a schema for
            if stack and stack[-1] == "[":
                cuts.append((i + 1, "".join(_CLOSE[b] for b in reversed(stack))))
    for end, closing in reversed(cuts[-MAX_TRIES:]):
        try:
            return json.loads(text[:end] + closing)
        except ValueError:
            continue
    return None
