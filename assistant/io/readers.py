"""Readers: YAML (canonical), Markdown, JSON, CSV and stdin, all to the same model.

Every failure is an :class:`InputError` carrying ``path:line``; nothing else escapes.
Parsers first produce plain data whose mappings and strings remember their source
line (``io.line_numbered``: ``yaml_reader`` for YAML/JSON, ``text_readers`` for Markdown and
CSV), then one builder (``io.builder``) validates it into ``OKRSet`` objects.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.errors import InputError
from assistant.io.builder import Builder
from assistant.io.json_reader import json_tree
from assistant.io.line_numbered import (
    LDict,
    LList,
    LStr,
    check_controls,
    has_surrogate,
    line_of,
)
from assistant.io.text_readers import csv_tree, markdown_tree
from assistant.io.yaml_reader import MAX_YAML_NODES, yaml_tree
from assistant.model import OKRSet

__all__ = [
    "FORMATS",
    "MAX_INPUT_BYTES",
    "MAX_YAML_NODES",
    "Builder",
    "LDict",
    "LList",
    "LStr",
    "decode",
    "format_for",
    "line_of",
    "parse",
    "read_bytes",
    "sniff_format",
]

MAX_INPUT_BYTES = 10 * 1024 * 1024
FORMATS = ("yaml", "markdown", "json", "csv")
_SUFFIXES = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
    ".csv": "csv",
}


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
        with p.open("rb") as fh:  # a device or an endless pipe stops at the size cap
            return fh.read(MAX_INPUT_BYTES + 1)
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


_PARSERS = {"yaml": yaml_tree, "json": json_tree, "markdown": markdown_tree, "csv": csv_tree}
_Builder = Builder  # the older private name (services.learn)


def _plain_text(text: str) -> bool:
    """True when no value read from ``text`` can hold a control character or a lone
    surrogate: the text has none, no backslash (a YAML or JSON escape such as ``\\e``,
    ``\\u001b``) and no ampersand (a Markdown entity such as ``&#27;``). One scan of the
    file instead of a walk over every value (a quarter of reading a team file)."""
    from assistant.domain.text_safety import is_safe

    return "\\" not in text and "&" not in text and is_safe(text) and not has_surrogate(text)


def parse(text: str, label: str, fmt: str) -> list[OKRSet]:
    """Text in a known format → sets. Raises only :class:`InputError`."""
    tree = _PARSERS[fmt](text, label)
    if not _plain_text(text):
        check_controls(tree, label)
    stem = Path(label).stem if label != "-" else "stdin"
    return Builder(label).sets(tree, stem)
