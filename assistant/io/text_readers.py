"""Markdown and CSV text to located plain data (the same shape the YAML reader gives).

Markdown (parsed by markdown-it-py): ``# Set``, ``## Objective``, ``- key result`` with
indented ``field: value`` items. CSV: one row per key result, columns
``set,objective,key_result`` plus optional fields. Every failure is a located ``InputError``.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from typing import TYPE_CHECKING, Any

from assistant.errors import InputError
from assistant.io.line_numbered import LDict, lstr

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_MD_BOX = re.compile(r"^\[[ xX]\]\s+(?=\S)")  # a task box before the key result's words
_MD_FIELD = re.compile(r"^([a-z_]+)\s*:\s*(.+)$")
_MD_META = re.compile(r"^\s*(owner|cycle|type|aligns_to|parent)\s*:\s*(.+?)\s*$", re.I)
_MD_LINE_BREAK = re.compile(r"\r\n?|\n")  # the line breaks markdown-it counts in .map
_KR_FIELDS = ("owner", "type", "baseline", "target", "unit", "deadline", "aligns_to", "parent",
              "source")  # fmt: skip


def markdown_tree(text: str, label: str) -> Any:
    """``# Set``, ``## Objective`` (ATX or setext), list items as key results with nested
    ``field: value`` items, ``owner: …`` lines under a heading. The structure comes from
    markdown-it-py's block tokens (code blocks, ``` and ~~~ fences, HTML comments and
    block quotes are skipped whole); every text is taken from the source line its
    token's ``.map`` names, as written, so a line number is always the line it came from.
    """
    lines = _MD_LINE_BREAK.split(text)
    sets: list[LDict] = []
    current_set: LDict | None = None
    objective: LDict | None = None
    kr: LDict | None = None
    in_item = False  # inside a top-level list item: nested items may be its fields
    taken: set[int] = set()  # lines already read as a list item ("- - x" is one item)

    def new_set(name: str | None, line: int) -> LDict:
        s = LDict(objectives=[])
        s.line = line
        if name:
            s["name"] = lstr(name, line)
        sets.append(s)
        return s

    tokens = _markdown_parser().parse(text)
    for i, token in enumerate(tokens):
        if token.type == "list_item_close" and token.level == 1:
            in_item = False
        if token.map is None:
            continue
        first = token.map[0]
        number = first + 1
        if token.type == "heading_open" and token.level == 0:
            level, title = int(token.tag[1:]), _heading_text(lines, token, tokens[i + 1].content)
            if level == 1:
                current_set, objective, kr = new_set(title, number), None, None
            elif level == 2:
                if current_set is None:
                    current_set = new_set(None, number)
                objective = LDict(title=lstr(title, number), key_results=[])
                objective.line = number
                current_set["objectives"].append(objective)
                kr = None
        elif token.type == "list_item_open" and (token.level == 1 or in_item):
            top = token.level == 1
            in_item = in_item or top
            if first in taken or objective is None:
                continue
            taken.add(first)
            raw = lines[first]
            body = _item_text(raw, token)
            indent = len(raw.expandtabs(4)) - len(raw.expandtabs(4).lstrip())
            field = _MD_FIELD.match(body or "")
            if top and indent < 2 and body:
                kr = LDict(text=lstr(body, number))
                kr.line = number
                objective["key_results"].append(kr)
            elif kr is not None and field and field.group(1).lower() in _KR_FIELDS:
                kr[field.group(1).lower()] = lstr(field.group(2), number)
        elif token.type == "paragraph_open" and token.level == 0 and kr is None:
            holder = objective if objective is not None else current_set
            for n in range(*token.map):
                meta = _MD_META.match(lines[n])
                if meta and holder is not None:
                    key = meta.group(1).lower()
                    if key in ("type", "owner", "aligns_to", "parent") or objective is None:
                        holder[key] = lstr(meta.group(2), n + 1)
    if not sets or not any(s.get("objectives") or s.get("name") for s in sets):
        raise InputError(
            label,
            "no OKRs found: expected '## Objective' headings with '- key result' list items",
            1,
        )
    if len(sets) == 1:
        return sets[0]
    return LDict(sets=sets)


@functools.cache
def _markdown_parser() -> MarkdownIt:
    """CommonMark block parsing only (the words are read from the source lines), built
    on the first Markdown file: markdown-it is not imported by ``okr --help``."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").disable("inline")


def _heading_text(lines: list[str], token: Token, content: str) -> str:
    """The heading's words as written. ATX: markdown-it's content (opening and closing
    #s stripped) found in the raw line, which keeps any NUL markdown-it would replace.
    Setext: the raw lines above the underline, joined by one space."""
    start, end = token.map or (0, 0)
    if token.markup.startswith("#"):
        raw = lines[start]
        at = raw.replace("\0", "\ufffd").rfind(content)
        return raw[at : at + len(content)] if at >= 0 else content
    return " ".join(line.strip() for line in lines[start : end - 1])


def _item_text(raw: str, token: Token) -> str | None:
    """A list item's words on its first line: after the marker (``-``, ``*``, ``+``,
    ``1.``, ``1)``) and one task box (``[x] ``); None when the line holds no words."""
    marker = token.info + token.markup  # "1" + "." for an ordered item, "" + "-" else
    line = raw.lstrip(" \t")
    if not line.startswith(marker):
        return None
    body = line[len(marker) :].strip()
    return _MD_BOX.sub("", body, count=1) or None


_CSV_ALIASES = {
    "key_result": ("key_result", "key result", "kr", "keyresult", "key_results"),
    "objective": ("objective", "objective_title", "objective title"),
    "set": ("set", "team", "set_name"),
}


def csv_tree(text: str, label: str) -> Any:
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = next(reader)
    except (csv.Error, StopIteration) as exc:
        raise InputError(label, f"invalid CSV: {exc}", 1) from None
    columns = [h.strip().lower().replace("-", "_") for h in header]
    index: dict[str, int] = {}
    for i, name in enumerate(columns):
        canonical = next((k for k, names in _CSV_ALIASES.items() if name in names), name)
        index.setdefault(canonical, i)
    missing = [c for c in ("objective", "key_result") if c not in index]
    if missing:
        raise InputError(
            label,
            f"CSV header needs columns set,objective,key_result (missing: {', '.join(missing)})",
            1,
        )
    sets: dict[str, LDict] = {}
    objectives: dict[tuple[str, str], LDict] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue

            def cell(name: str, row: list[str] = row) -> str:
                i = index.get(name)
                return row[i].strip() if i is not None and i < len(row) else ""

            set_name = cell("set")
            if set_name not in sets:
                s = LDict(objectives=[])
                s.line = line
                if set_name:
                    s["name"] = lstr(set_name, line)
                if cell("cycle"):
                    s["cycle"] = lstr(cell("cycle"), line)
                sets[set_name] = s
            title = cell("objective")
            if not title:
                raise InputError(label, "the objective column is empty", line)
            key = (set_name, title)
            if key not in objectives:
                obj = LDict(title=lstr(title, line), key_results=[])
                obj.line = line
                for column, field in (
                    ("objective_type", "type"),
                    ("objective_owner", "owner"),
                    ("objective_aligns_to", "aligns_to"),
                ):
                    if cell(column):
                        obj[field] = lstr(cell(column), line)
                objectives[key] = obj
                sets[set_name]["objectives"].append(obj)
            text_cell = cell("key_result")
            if not text_cell:
                continue
            kr = LDict(text=lstr(text_cell, line))
            kr.line = line
            for field in ("owner", "type", "baseline", "target", "unit", "deadline", "aligns_to"):
                if cell(field):
                    kr[field] = lstr(cell(field), line)
            objectives[key]["key_results"].append(kr)
    except csv.Error as exc:
        raise InputError(label, f"invalid CSV: {exc}", reader.line_num) from None
    if not sets:
        raise InputError(label, "CSV has a header but no rows", 1)
    if len(sets) == 1:
        return next(iter(sets.values()))
    return LDict(sets=list(sets.values()))
