"""The text a version was written as, kept next to its canonical content.

A draft typed as YAML (or Markdown) has comments and a layout the canonical content
does not hold. A version keeps that text only when it parses to exactly the
version's content, so the two never disagree; ``okr doctor`` re-checks it. Accepting
a rewrite replaces just the target's text in it (comments stay) when that parses to
the accepted content, else the version falls back to the canonical form.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.errors import OKRError
from assistant.ids import TargetId
from assistant.model import OKRSet
from assistant.store import repo

if TYPE_CHECKING:
    import yaml

TEXT_FORMATS = ("yaml", "markdown")
_UNNAMED = "\u2063unnamed-okr-text"  # a read label no set is named after by chance
_FORMAT_ALIASES = {"md": "markdown", "yml": "yaml"}
# The first line ``okr show`` prints: dropped when that output is saved back.
_SHOW_HEADER = re.compile(r"# .* v\d+ \([0-9a-f]{10}\) · .*")


@dataclass(frozen=True)
class SourceText:
    """What a save records as the text: ``text`` None means the canonical form."""

    text: str | None
    text_format: str | None

    @property
    def pair(self) -> tuple[str | None, str | None]:
        return (self.text, self.text_format if self.text is not None else None)


def text_format(fmt: str | None) -> str | None:
    """The stored name of a reader format (``md`` is ``markdown``); None when the
    format's text is not kept (JSON and CSV carry no comments or layout)."""
    name = _FORMAT_ALIASES.get((fmt or "yaml").lower(), (fmt or "yaml").lower())
    return name if name in TEXT_FORMATS else None


def normalise(text: str) -> str:
    """One form of a text for storing and comparing: LF line ends, no byte-order mark,
    no trailing blank lines or spaces at the end, one final newline."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip() + "\n"


def without_show_header(text: str) -> str:
    """``text`` without the header line ``okr show`` puts first, so saving what it
    printed does not stack one more header per round trip."""
    first, newline, rest = text.partition("\n")
    return rest if newline and _SHOW_HEADER.fullmatch(first) else text


@dataclass(frozen=True)
class ReadFile:
    """An OKR file read once: its sets, its text and the format it was parsed as."""

    sets: list[OKRSet]
    text: str
    fmt: str


def read_file(path: str, format_in: str | None = None) -> ReadFile:
    """Read ``path`` (``-``: stdin) as ``assistant.io.read_path`` does, keeping the text
    so a save can store it with the version. Raises only ``InputError``."""
    import sys

    from assistant.io.readers import MAX_INPUT_BYTES, decode, format_for, parse, read_bytes

    data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1) if path == "-" else read_bytes(path)
    text = decode(data, path)
    fmt = format_for(path, text, format_in)
    return ReadFile(parse(text, path, fmt), text, fmt)


def canonical_yaml(okr_set: OKRSet) -> str:
    from assistant.io import write_sets

    return write_sets([okr_set], "yaml")


def _parsed(text: str, fmt: str, name: str | None) -> OKRSet | None:
    """The one set ``text`` holds. A text that does not name its set gets its name
    from the file it was read from, so it takes ``name`` (the version's) instead."""
    from assistant.io import read_text

    try:
        sets = read_text(text, _UNNAMED, fmt)
    except OKRError:
        return None
    if len(sets) != 1:
        return None
    okr_set = sets[0]
    if okr_set.name == _UNNAMED:
        okr_set = okr_set.model_copy(update={"name": name})
    return okr_set


def _content(okr_set: OKRSet | None) -> str | None:
    return None if okr_set is None else repo.canonical_json(okr_set.content())


def shown_text(text: str | None, fmt: str | None, okr_set: OKRSet) -> str | None:
    """The stored text as a file of its own (``okr show``, export, the editor): it
    must name its set, or reading it back elsewhere (stdin, another file name) would
    rename the set; a ``name:`` line is added after the leading comments when the text
    has none. None when there is no text or it cannot be shown faithfully."""
    if text is None or fmt not in TEXT_FORMATS:
        return None
    goal = _content(okr_set)
    parsed = _parsed(text, fmt, _UNNAMED)
    if parsed is None or parsed.name != _UNNAMED or okr_set.name is None:
        return text if _content(_parsed(text, fmt, okr_set.name)) == goal else None
    if fmt != "yaml":
        return None
    lines = text.split("\n")
    at = 0
    while at < len(lines) and (not lines[at].strip() or lines[at].lstrip().startswith("#")):
        at += 1
    name_line = f"name: {json.dumps(okr_set.name, ensure_ascii=False)}"
    named = "\n".join([*lines[:at], name_line, *lines[at:]])
    return named if _content(_parsed(named, fmt, _UNNAMED)) == goal else None


def mismatch(text: str, fmt: str | None, content_text: str) -> str | None:
    """Why ``text`` is not a faithful text of the canonical content (None when it is)."""
    if fmt not in TEXT_FORMATS:
        return f"stored text has an unknown format {fmt!r}"
    try:
        name = json.loads(content_text).get("name")
    except (ValueError, AttributeError):
        name = None
    okr_set = _parsed(text, fmt, name if isinstance(name, str) else None)
    if okr_set is None:
        return "stored text no longer parses as an OKR set"
    if _content(okr_set) != content_text:
        return "stored text does not parse to the version's content"
    return None


def source_for(
    text: str | None, fmt: str | None, okr_set: OKRSet, content_text: str
) -> SourceText | None:
    """The text to record with ``okr_set`` (canonical YAML is recorded as None), or
    None when ``text`` cannot be kept: not given, not YAML/Markdown, several sets, or
    it does not parse to the same content (it is then as if no text was given)."""
    name = text_format(fmt)
    if text is None or name is None:
        return None
    clean = normalise(without_show_header(text) if name == "yaml" else text)
    if name == "yaml" and clean == normalise(canonical_yaml(okr_set)):
        return SourceText(None, None)
    if mismatch(clean, name, content_text) is not None:
        return None
    if name == "yaml":  # stored so that it reads back as this set wherever it is read
        named = shown_text(clean, name, okr_set)
        if named is None:
            return None
        clean = named
    return SourceText(clean, name)


def yaml_text(okr_set: OKRSet, text: str | None, fmt: str | None) -> str:
    """The YAML to show or edit for a version: its stored YAML text (comments kept)
    when it has one, else the canonical YAML."""
    shown = shown_text(text, fmt, okr_set) if fmt == "yaml" else None
    return shown if shown is not None else canonical_yaml(okr_set)


def _scalars(node: yaml.Node) -> list[yaml.ScalarNode]:
    import yaml

    found: list[yaml.ScalarNode] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, yaml.ScalarNode):
            found.append(item)
        elif isinstance(item, yaml.SequenceNode):
            stack.extend(item.value)
        elif isinstance(item, yaml.MappingNode):
            for key, value in item.value:
                stack.extend((key, value))
    return found


def with_rewrite(text: str, target: str, new: str, updated: OKRSet) -> str | None:
    """``text`` (YAML) with only the wording of ``target`` replaced by ``new``, keeping
    every comment and the layout; None when no such edit parses to ``updated``.

    The reader records the line each objective and KR starts on; the scalar holding
    the old wording at or after that line is replaced (plain when that stays valid,
    else double-quoted), and the result must parse to exactly ``updated``."""
    import yaml

    okr_set = _parsed(text, "yaml", updated.name)
    tid = TargetId.try_parse(target)
    if okr_set is None or tid is None or tid.is_set:
        return None
    try:
        old = okr_set.target_text(tid)
        line = okr_set.locate(tid).line or 1
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (IndexError, ValueError, yaml.YAMLError):
        return None
    if root is None:
        return None
    wanted = " ".join(old.split())
    nodes = sorted(
        (
            n
            for n in _scalars(root)
            if n.start_mark.line + 1 >= line and " ".join(str(n.value).split()) == wanted
        ),
        key=lambda n: n.start_mark.index,
    )
    goal = _content(updated)
    one_line = " ".join(new.split())
    for node in nodes[:3]:
        start, end = node.start_mark.index, node.end_mark.index
        span = text[start:end]
        tail = span[len(span.rstrip("\n")) :]  # a block scalar's span ends with its newline
        for candidate in (one_line, json.dumps(one_line, ensure_ascii=False)):
            edited = text[:start] + candidate + tail + text[end:]
            if _content(_parsed(edited, "yaml", updated.name)) == goal:
                return edited
    return None


def with_set_name(text: str, updated: OKRSet) -> str | None:
    """``text`` (YAML) with only the set's top-level ``name:`` value replaced by
    ``updated``'s name (a renamed draft), comments and layout kept; None when the text
    has no such line or no such edit parses to exactly ``updated``."""
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if not isinstance(root, yaml.MappingNode) or updated.name is None:
        return None
    goal = _content(updated)
    for key, value in root.value:
        if not (isinstance(key, yaml.ScalarNode) and key.value == "name"):
            continue
        if not isinstance(value, yaml.ScalarNode):
            return None
        start, end = value.start_mark.index, value.end_mark.index
        span = text[start:end]
        tail = span[len(span.rstrip("\n")) :]  # a block scalar's span ends with its newline
        for candidate in (updated.name, json.dumps(updated.name, ensure_ascii=False)):
            edited = text[:start] + candidate + tail + text[end:]
            if _content(_parsed(edited, "yaml", updated.name)) == goal:
                return edited
        return None
    return None
