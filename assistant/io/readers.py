"""Readers: YAML (canonical), Markdown, JSON, CSV and stdin, all to the same model.

Every failure is an :class:`InputError` carrying ``path:line``; nothing else escapes.
Parsers first produce plain data whose mappings and strings remember their source
line (``LDict``/``LStr``), then one builder validates it into ``OKRSet`` objects.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import InputError
from assistant.measure import extract
from assistant.model import KeyResult, Objective, OKRSet

# libyaml's composer is ~10x faster than the pure-Python one and reports the same marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_INPUT_BYTES = 10 * 1024 * 1024
MAX_YAML_NODES = 2_000_000
FORMATS = ("yaml", "markdown", "json", "csv")
_SUFFIXES = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
    ".csv": "csv",
}


class LStr(str):
    """A string that remembers the line it came from."""

    line: int | None = None


class LList(list):
    """A sequence that remembers the line of each item (an empty item has no line of its own)."""

    item_lines: list[int | None] = []


class LDict(dict):
    """A mapping that remembers the line it started on."""

    line: int | None = None


def _lstr(value: str, line: int | None) -> LStr:
    s = LStr(value)
    s.line = line
    return s


def line_of(value: object) -> int | None:
    return getattr(value, "line", None)


# --- bytes → text ------------------------------------------------------------------------------


def decode(data: bytes, label: str) -> str:
    """Bytes to text, refusing what is not a UTF-8 text file with a located message."""
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(
            label,
            f"file is too large ({len(data) / 1e6:.1f} MB; the limit is {MAX_INPUT_BYTES // 2**20} MB)",
            1,
        )
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError(label, "not a text file (binary data)", line)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            label, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8", line
        ) from None
    if not text.strip():
        raise InputError(label, "file is empty", 1)
    return text


def read_bytes(path: str) -> bytes:
    p = Path(path)
    try:
        if p.is_dir():
            raise InputError(path, "is a directory, not an OKR file")
        size = p.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InputError(
                path,
                f"file is too large ({size / 1e6:.1f} MB; the limit is {MAX_INPUT_BYTES // 2**20} MB)",
                1,
            )
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except OSError as exc:
        raise InputError(path, f"cannot read file ({exc.strerror or exc})") from None


def sniff_format(text: str) -> str:
    """Guess the format of text with no file name (stdin)."""
    head = text.lstrip()
    if head.startswith(("{", "[")):
        return "json"
    first_line = head.splitlines()[0] if head else ""
    if re.search(r"\bkey[_ ]?results?\b", first_line, re.I) and "," in first_line:
        return "csv"
    if re.search(r"^#{1,2} ", text, re.M) and not re.search(r"^\s*objectives\s*:", text, re.M):
        return "markdown"
    return "yaml"


def format_for(path: str, text: str, format_in: str | None = None) -> str:
    if format_in:
        fmt = {"md": "markdown", "yml": "yaml"}.get(format_in, format_in)
        if fmt not in FORMATS:
            raise InputError(path, f"unknown input format '{format_in}' (use {', '.join(FORMATS)})")
        return fmt
    return _SUFFIXES.get(Path(path).suffix.lower()) or sniff_format(text)


# --- parsers: text → located plain data ---------------------------------------------------------


def _yaml_tree(text: str, label: str) -> Any:
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(
            label, f"invalid YAML: {problem}", mark.line + 1 if mark else None
        ) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(label, f"invalid YAML: {exc}") from None
    if node is None:
        raise InputError(label, "file is empty", 1)
    constructor = yaml.SafeLoader("")
    budget = [MAX_YAML_NODES]

    def convert(n: yaml.Node) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise InputError(
                label, "document is too large or too deeply aliased", n.start_mark.line + 1
            )
        line = n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            result = LDict()
            result.line = line
            for key_node, value_node in n.value:
                key = convert(key_node)
                if not isinstance(key, str | int | float | bool) or key is None:
                    raise InputError(
                        label, "mapping keys must be plain text", key_node.start_mark.line + 1
                    )
                key = str(key)
                if key in result:
                    raise InputError(label, f"duplicate key '{key}'", key_node.start_mark.line + 1)
                result[key] = convert(value_node)
            return result
        if isinstance(n, yaml.SequenceNode):
            items = LList(convert(item) for item in n.value)
            items.item_lines = [item.start_mark.line + 1 for item in n.value]
            return items
        try:
            value = constructor.construct_object(n, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            raise InputError(label, f"invalid value: {exc}".splitlines()[0], line) from None
        return _lstr(value, line) if isinstance(value, str) else value

    try:
        return convert(node)
    except RecursionError:
        raise InputError(label, "document is nested too deeply") from None


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _json_tree(text: str, label: str) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(label, f"invalid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise InputError(label, "invalid JSON: nested too deeply") from None
    try:  # JSON is (nearly) YAML: reuse the YAML composer to learn line numbers.
        tree = _yaml_tree(text, label)
        if _plain(tree) == data:
            return tree
    except InputError:
        pass
    return data


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.*\S)\s*$")
_MD_META = re.compile(r"^\s*(owner|cycle|type|aligns_to|parent)\s*:\s*(.+?)\s*$", re.I)
_KR_FIELDS = ("owner", "type", "baseline", "target", "unit", "deadline", "aligns_to", "parent")


def _markdown_tree(text: str, label: str) -> Any:
    sets: list[LDict] = []
    current_set: LDict | None = None
    objective: LDict | None = None
    kr: LDict | None = None
    in_code = False

    def new_set(name: str | None, line: int) -> LDict:
        s = LDict(objectives=[])
        s.line = line
        if name:
            s["name"] = _lstr(name, line)
        sets.append(s)
        return s

    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.lstrip().startswith("```"):
            in_code = not in_code
            continue
        if in_code or not raw.strip() or raw.lstrip().startswith("<!--"):
            continue
        heading = _MD_HEADING.match(raw)
        if heading:
            level, title = len(heading.group(1)), heading.group(2)
            if level == 1:
                current_set, objective, kr = new_set(title, number), None, None
            elif level == 2:
                if current_set is None:
                    current_set = new_set(None, number)
                objective = LDict(title=_lstr(title, number), key_results=[])
                objective.line = number
                current_set["objectives"].append(objective)
                kr = None
            continue
        item = _MD_ITEM.match(raw)
        if item and objective is not None:
            indent, body = len(item.group(1).expandtabs(4)), item.group(2)
            meta = re.match(r"^([a-z_]+)\s*:\s*(.+)$", body)
            if indent >= 2 and kr is not None and meta and meta.group(1).lower() in _KR_FIELDS:
                kr[meta.group(1).lower()] = _lstr(meta.group(2), number)
            elif indent < 2:
                kr = LDict(text=_lstr(body, number))
                kr.line = number
                objective["key_results"].append(kr)
            continue
        meta = _MD_META.match(raw)
        if meta and (objective is not None or current_set is not None) and kr is None:
            key = meta.group(1).lower()
            holder = objective if objective is not None else current_set
            if holder is not None and (
                key in ("type", "owner", "aligns_to", "parent") or objective is None
            ):
                holder[key] = _lstr(meta.group(2), number)
    if not sets or not any(s.get("objectives") or s.get("name") for s in sets):
        raise InputError(
            label,
            "no OKRs found: expected '## Objective' headings with '- key result' list items",
            1,
        )
    if len(sets) == 1:
        return sets[0]
    return LDict(sets=sets)


_CSV_ALIASES = {
    "key_result": ("key_result", "key result", "kr", "keyresult", "key_results"),
    "objective": ("objective", "objective_title", "objective title"),
    "set": ("set", "team", "set_name"),
}


def _csv_tree(text: str, label: str) -> Any:
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
                    s["name"] = _lstr(set_name, line)
                for key in ("cycle",):
                    if cell(key):
                        s[key] = _lstr(cell(key), line)
                sets[set_name] = s
            title = cell("objective")
            if not title:
                raise InputError(label, "the objective column is empty", line)
            key = (set_name, title)
            if key not in objectives:
                obj = LDict(title=_lstr(title, line), key_results=[])
                obj.line = line
                for column, field in (
                    ("objective_type", "type"),
                    ("objective_owner", "owner"),
                    ("objective_aligns_to", "aligns_to"),
                ):
                    if cell(column):
                        obj[field] = _lstr(cell(column), line)
                objectives[key] = obj
                sets[set_name]["objectives"].append(obj)
            text_cell = cell("key_result")
            if not text_cell:
                continue
            kr = LDict(text=_lstr(text_cell, line))
            kr.line = line
            for field in ("owner", "type", "baseline", "target", "unit", "deadline", "aligns_to"):
                if cell(field):
                    kr[field] = _lstr(cell(field), line)
            objectives[key]["key_results"].append(kr)
    except csv.Error as exc:
        raise InputError(label, f"invalid CSV: {exc}", reader.line_num) from None
    if not sets:
        raise InputError(label, "CSV has a header but no rows", 1)
    if len(sets) == 1:
        return next(iter(sets.values()))
    return LDict(sets=list(sets.values()))


_PARSERS = {"yaml": _yaml_tree, "json": _json_tree, "markdown": _markdown_tree, "csv": _csv_tree}


# --- located data → model -----------------------------------------------------------------------


class _Builder:
    def __init__(self, label: str) -> None:
        self.label = label

    def fail(self, message: str, where: object = None, line: int | None = None) -> InputError:
        return InputError(self.label, message, line if line is not None else line_of(where))

    def text(self, value: object, what: str, where: object) -> str:
        if isinstance(value, bool) or value is None:
            raise self.fail(f"{what} must be text", where)
        if isinstance(value, int | float | date):
            value = str(value)
        if not isinstance(value, str):
            raise self.fail(f"{what} must be text, not a {_kind(value)}", where)
        cleaned = " ".join(value.split())
        if not cleaned:
            raise self.fail(f"{what} is empty", where)
        return cleaned

    def optional_text(self, data: dict, key: str, what: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, date | datetime):
            return value.isoformat()[:10]
        return self.text(value, what, value if line_of(value) else data)

    def okr_type(self, data: dict, what: str) -> str | None:
        value = self.optional_text(data, "type", f"{what} type")
        if value is None:
            return None
        lowered = value.lower()
        if lowered not in ("committed", "aspirational"):
            raise self.fail(
                f"{what} type must be 'committed' or 'aspirational', not '{value}'",
                data.get("type") or data,
            )
        return lowered

    def number(self, data: dict, key: str) -> tuple[float | None, str | None]:
        value = data.get(key)
        if value is None:
            return None, None
        if isinstance(value, bool):
            raise self.fail(f"{key} must be a number", data)
        if isinstance(value, int | float):
            if value != value or value in (float("inf"), float("-inf")):
                raise self.fail(f"{key} must be a finite number", data)
            return float(value), None
        if isinstance(value, str):
            m = extract(value)
            if len(m.quantities) == 1:
                q = m.quantities[0]
                return q.value, (q.unit or None)
        raise self.fail(
            f"{key} must be a number such as 32, 32% or $1.2M, not '{value}'",
            value if line_of(value) else data,
        )

    def check_keys(self, data: dict, allowed: Iterable[str], what: str) -> None:
        allowed = tuple(allowed)
        for key in data:
            if key not in allowed:
                raise self.fail(
                    f"unknown {what} field '{key}' (expected one of: {', '.join(allowed)})", data
                )

    def key_result(self, raw: object, where: object, line: int | None = None) -> KeyResult:
        if isinstance(raw, str | int | float) and not isinstance(raw, bool):
            return KeyResult(
                text=self.text(raw, "key result", raw), line=line_of(raw) or line_of(where)
            )
        if raw is None:
            raise self.fail("a key result is empty", where, line)
        if not isinstance(raw, dict):
            raise self.fail(
                f"a key result must be text or a mapping, not a {_kind(raw)}", where, line
            )
        data = _aliased(raw, {"kr": "text", "key_result": "text", "parent": "aligns_to"})
        self.check_keys(
            data,
            ("text", "owner", "type", "baseline", "target", "unit", "deadline", "aligns_to"),
            "key result",
        )
        if "text" not in data:
            raise self.fail("a key result needs 'text'", raw)
        baseline, base_unit = self.number(data, "baseline")
        target, target_unit = self.number(data, "target")
        return KeyResult(
            text=self.text(
                data["text"], "key result text", data["text"] if line_of(data["text"]) else raw
            ),
            owner=self.optional_text(data, "owner", "owner"),
            type=self.okr_type(data, "key result"),  # type: ignore[arg-type]
            baseline=baseline,
            target=target,
            unit=self.optional_text(data, "unit", "unit") or target_unit or base_unit,
            deadline=self.optional_text(data, "deadline", "deadline"),
            aligns_to=self.optional_text(data, "aligns_to", "aligns_to"),
            line=line_of(raw),
        )

    def objective(self, raw: object, where: object) -> Objective:
        if not isinstance(raw, dict):
            raise self.fail(
                f"an objective must be a mapping with a title, not a {_kind(raw)}",
                raw if line_of(raw) else where,
            )
        data = _aliased(raw, {"objective": "title", "name": "title", "krs": "key_results",
                              "key results": "key_results", "parent": "aligns_to"})  # fmt: skip
        self.check_keys(data, ("title", "type", "owner", "aligns_to", "key_results"), "objective")
        if "title" not in data:
            raise self.fail("an objective needs a 'title'", raw)
        krs = data.get("key_results") or []
        if not isinstance(krs, list):
            raise self.fail("key_results must be a list", raw)
        return Objective(
            title=self.text(
                data["title"], "objective title", data["title"] if line_of(data["title"]) else raw
            ),
            type=self.okr_type(data, "objective"),  # type: ignore[arg-type]
            owner=self.optional_text(data, "owner", "owner"),
            aligns_to=self.optional_text(data, "aligns_to", "aligns_to"),
            key_results=[self.key_result(kr, raw, _item_line(krs, i)) for i, kr in enumerate(krs)],
            line=line_of(raw),
        )

    def okr_set(self, raw: object, index: int, default_name: str, defaults: dict) -> OKRSet:
        if not isinstance(raw, dict):
            raise self.fail(
                f"a set must be a mapping with 'objectives', not a {_kind(raw)}", raw, 1
            )
        data = _aliased(
            raw, {"team": "name", "title": "name", "quarter": "cycle", "period": "cycle"}
        )
        self.check_keys(data, ("name", "owner", "cycle", "objectives"), "set")
        objectives = data.get("objectives")
        if objectives is None:
            raise self.fail(
                "expected 'objectives:' (a list of objectives with key_results)",
                raw,
                line_of(raw) or 1,
            )
        if not isinstance(objectives, list):
            raise self.fail("objectives must be a list", raw)
        merged = {**defaults, **{k: v for k, v in data.items() if v is not None}}
        return OKRSet(
            name=self.optional_text(merged, "name", "name") or default_name,
            owner=self.optional_text(merged, "owner", "owner"),
            cycle=self.optional_text(merged, "cycle", "cycle"),
            objectives=[self.objective(o, raw) for o in objectives],
            line=line_of(raw) or 1,
            source=self.label,
            index=index,
        )

    def sets(self, tree: object, stem: str) -> list[OKRSet]:
        if isinstance(tree, list):
            tree = LDict(sets=tree)
        if not isinstance(tree, dict):
            raise self.fail(
                f"expected a mapping with 'objectives:' or 'sets:', not a {_kind(tree)}", tree, 1
            )
        if "sets" in tree:
            raw_sets = tree["sets"]
            if not isinstance(raw_sets, list):
                raise self.fail("sets must be a list", tree, line_of(tree) or 1)
            self.check_keys(tree, ("sets", "cycle", "owner", "name"), "team file")
            defaults = {k: tree[k] for k in ("cycle",) if tree.get(k) is not None}
            if not raw_sets:
                raise self.fail("the team file has no sets", tree, line_of(tree) or 1)
            return [
                self.okr_set(raw, i, f"{stem} {i}", defaults)
                for i, raw in enumerate(raw_sets, start=1)
            ]
        return [self.okr_set(tree, 1, stem, {})]


def _item_line(items: list, index: int) -> int | None:
    lines = getattr(items, "item_lines", None)
    return lines[index] if lines and index < len(lines) else None


def _aliased(data: dict, aliases: dict[str, str]) -> dict:
    result = LDict()
    result.line = line_of(data)
    for key, value in data.items():
        result[aliases.get(str(key).lower(), str(key).lower())] = value
    return result


def _kind(value: object) -> str:
    names = {list: "list", LList: "list", dict: "mapping", LDict: "mapping", type(None): "nothing"}
    return names.get(type(value), type(value).__name__)


def parse(text: str, label: str, fmt: str) -> list[OKRSet]:
    """Text in a known format → sets. Raises only :class:`InputError`."""
    tree = _PARSERS[fmt](text, label)
    stem = Path(label).stem if label != "-" else "stdin"
    return _Builder(label).sets(tree, stem)
