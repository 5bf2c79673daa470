"""Adapters between files and the domain model."""

from __future__ import annotations

import sys

from assistant.io.readers import FORMATS, MAX_INPUT_BYTES, decode, format_for, parse, read_bytes
from assistant.io.writers import WRITE_FORMATS, set_data, write_sets
from assistant.model import OKRSet

__all__ = [
    "FORMATS",
    "WRITE_FORMATS",
    "read_path",
    "read_paths",
    "read_text",
    "set_data",
    "write_sets",
]


def read_text(text: str, label: str, fmt: str | None = None) -> list[OKRSet]:
    """Parse text already in memory (the TUI editor, tests)."""
    return parse(text, label, format_for(label, text, fmt))


def read_path(path: str, format_in: str | None = None) -> list[OKRSet]:
    """Read one file, or stdin for ``-``. Raises only ``InputError``."""
    data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1) if path == "-" else read_bytes(path)
    text = decode(data, path)
    return parse(text, path, format_for(path, text, format_in))


def read_paths(paths: list[str], format_in: str | None = None) -> list[OKRSet]:
    return [okr_set for path in paths for okr_set in read_path(path, format_in)]
