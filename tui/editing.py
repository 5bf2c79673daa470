"""Structure-aware line operations on the editor's YAML text.

Pure functions over the text, so the key bindings of the editor (add a key
result, add an objective, move an item up/down, delete an item) and the default
message for saving an edit are tested without a terminal. An *item* is a YAML
list entry (``- …``) together with the more indented lines below it, so moving a structured key result or a whole
objective keeps its fields with it. Both YAML list styles are handled: items
indented under their key, or at the key's own indentation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.ids import TargetId
from assistant.model import OKRSet

_KEY = re.compile(r"^(?P<indent>\s*)(?:-\s+)?(?P<key>[A-Za-z_][\w-]*)\s*:(?:\s|$)")


@dataclass(frozen=True)
class Edit:
    """Replace lines ``start``..``end`` (exclusive) with ``lines``; put the cursor at ``cursor``."""

    start: int
    end: int
    lines: list[str]
    cursor: tuple[int, int]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_item(line: str) -> bool:
    stripped = line.lstrip(" ")
    return stripped.startswith("- ") or stripped == "-"


def _blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def item_end(lines: list[str], start: int) -> int:
    """One past the last line of the item starting at ``start`` (trailing blanks excluded)."""
    indent = _indent(lines[start])
    end = start + 1
    last = start + 1
    while end < len(lines):
        line = lines[end]
        if _blank(line):
            end += 1
            continue
        if _indent(line) <= indent:
            break
        end += 1
        last = end
    return last


def enclosing_item(lines: list[str], row: int, *, strict: bool = False) -> int | None:
    """The start of the innermost list item containing line ``row`` (with ``strict``,
    the item containing the item that starts at ``row``)."""
    if not 0 <= row < len(lines):
        return None
    for i in range(row - 1 if strict else row, -1, -1):
        if _is_item(lines[i]) and ((i == row and not strict) or item_end(lines, i) > row):
            return i
    return None


def parent_key(lines: list[str], item: int) -> str | None:
    """The mapping key a list item belongs to (``key_results``, ``objectives``…)."""
    indent = _indent(lines[item])
    for i in range(item - 1, -1, -1):
        line = lines[i]
        if _blank(line):
            continue
        if _indent(line) < indent or (_indent(line) == indent and not _is_item(line)):
            match = _KEY.match(line)
            return match.group("key") if match else None
    return None


def _item_of_kind(lines: list[str], row: int, key: str) -> int | None:
    """The innermost item around ``row`` that is an entry of ``key``."""
    item = enclosing_item(lines, row)
    while item is not None and parent_key(lines, item) != key:
        item = enclosing_item(lines, item, strict=True)
    return item


def siblings(lines: list[str], item: int) -> list[int]:
    """Starts of the list items in the same list as ``item``, in order."""
    indent = _indent(lines[item])
    first = item
    i = item - 1
    while i >= 0:
        line = lines[i]
        if _blank(line):
            i -= 1
            continue
        if _indent(line) > indent:
            i -= 1
            continue
        if _indent(line) == indent and _is_item(line):
            first = i
            i -= 1
            continue
        break
    starts = []
    i = first
    while i < len(lines):
        if _is_item(lines[i]) and _indent(lines[i]) == indent:
            starts.append(i)
            i = item_end(lines, i)
            while i < len(lines) and _blank(lines[i]):
                i += 1
            continue
        break
    return starts


def move_item(text: str, row: int, direction: int) -> Edit | None:
    """Swap the item around ``row`` with its previous (-1) or next (+1) sibling.

    A line that is not inside any list item moves on its own.
    """
    lines = text.split("\n")
    if not 0 <= row < len(lines):
        return None
    item = enclosing_item(lines, row)
    if item is None:
        other = row + direction
        if not 0 <= other < len(lines):
            return None
        a, b = sorted((row, other))
        return Edit(a, b + 1, [lines[b], lines[a]], (other, 0))
    starts = siblings(lines, item)
    index = starts.index(item)
    other_index = index + direction
    if not 0 <= other_index < len(starts):
        return None
    first, second = sorted((item, starts[other_index]))
    first_end, second_end = item_end(lines, first), item_end(lines, second)
    block_a, gap, block_b = (
        lines[first:first_end],
        lines[first_end:second],
        lines[second:second_end],
    )
    offset = row - item
    cursor_row = first + offset if direction < 0 else first + len(block_b) + len(gap) + offset
    return Edit(first, second_end, block_b + gap + block_a, (cursor_row, 0))


def delete_item(text: str, row: int) -> Edit | None:
    """Delete the item (key result or objective) around ``row``, or the line itself."""
    lines = text.split("\n")
    if not 0 <= row < len(lines):
        return None
    item = enclosing_item(lines, row)
    start, end = (row, row + 1) if item is None else (item, item_end(lines, item))
    return Edit(start, end, [], (min(start, max(len(lines) - (end - start) - 1, 0)), 0))


def _child_indent(lines: list[str], item: int) -> int:
    """Indentation of the mapping keys inside a list item (``- title:`` → under ``title``)."""
    line = lines[item]
    return _indent(line) + (len(line.lstrip(" ")) - len(line.lstrip(" ")[1:].lstrip(" ")))


def add_key_result(text: str, row: int) -> Edit | None:
    """Insert an empty key result after the one at ``row`` (or at the end of the
    objective at ``row``), creating ``key_results:`` when the objective has none."""
    lines = text.split("\n")
    if not lines:
        return None
    row = min(max(row, 0), len(lines) - 1)
    kr = _item_of_kind(lines, row, "key_results")
    if kr is not None:
        at = item_end(lines, kr)
        prefix = " " * _indent(lines[kr]) + "- "
        return Edit(at, at, [prefix], (at, len(prefix)))
    objective = _item_of_kind(lines, row, "objectives")
    if objective is None:
        return None
    end = item_end(lines, objective)
    child = _child_indent(lines, objective)
    for i in range(objective, end):
        match = _KEY.match(lines[i])
        if match and match.group("key") == "key_results" and _indent(lines[i]) <= child:
            existing = [
                j
                for j in range(i + 1, end)
                if _is_item(lines[j]) and parent_key(lines, j) == "key_results"
            ]
            indent = _indent(lines[existing[0]]) if existing else child + 2
            at = item_end(lines, existing[-1]) if existing else i + 1
            prefix = " " * indent + "- "
            return Edit(at, at, [prefix], (at, len(prefix)))
    prefix = " " * (child + 2) + "- "
    return Edit(end, end, [" " * child + "key_results:", prefix], (end + 1, len(prefix)))


def add_objective(text: str, row: int) -> Edit:
    """Insert a new objective title after the objective at ``row`` (or after the last
    one); ``add_key_result`` on it then starts its key results."""
    lines = text.split("\n")
    objective = _item_of_kind(lines, row, "objectives") if lines else None
    if objective is None:
        heads = [i for i, line in enumerate(lines) if _is_item(line)]
        heads = [i for i in heads if parent_key(lines, i) == "objectives"]
        objective = heads[-1] if heads else None
    if objective is None:
        at = len(lines)
        while at > 0 and not lines[at - 1].strip():
            at -= 1
        has_key = any((m := _KEY.match(line)) and m.group("key") == "objectives" for line in lines)
        block = ["- title: "] if has_key else ["objectives:", "- title: "]
        return Edit(at, at, block, (at + len(block) - 1, len("- title: ")))
    line = " " * _indent(lines[objective]) + "- title: "
    at = item_end(lines, objective)
    return Edit(at, at, [line], (at, len(line)))


def apply(text: str, edit: Edit) -> str:
    """The text after ``edit`` (what the editor shows once the edit is made)."""
    lines = text.split("\n")
    return "\n".join(lines[: edit.start] + edit.lines + lines[edit.end :])


def change_message(old: OKRSet, new: OKRSet) -> str:
    """The default version message for saving ``new`` over ``old``: ``Edit set, O1, O3``
    (the set's own fields, then each objective that changed; at most four named)."""
    changed = []
    for oi in range(max(len(old.objectives), len(new.objectives))):
        a = old.objectives[oi] if oi < len(old.objectives) else None
        b = new.objectives[oi] if oi < len(new.objectives) else None
        if a is None or b is None or a.model_dump() != b.model_dump():
            changed.append(str(TargetId(oi + 1)))
    if old.name != new.name or old.cycle != new.cycle or old.owner != new.owner:
        changed.insert(0, "set")
    return f"Edit {', '.join(changed[:4])}" if changed else "Edit"
