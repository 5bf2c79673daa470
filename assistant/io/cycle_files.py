"""Files the cycle reads: check-ins as CSV (``okr checkin DRAFT --from FILE.csv``) and
retrospective notes as YAML (``okr retro DRAFT --notes FILE``).

Every problem is a located ``InputError`` (``path:line: what is wrong``); nothing here
knows the cycle's KRs — the service checks ids and values, quoting the same lines.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from assistant.domain.cycle_status import CheckinInput
from assistant.domain.lessons import RetroNotes
from assistant.errors import InputError
from assistant.io.line_numbered import check_controls, line_of, quoted
from assistant.io.yaml_reader import yaml_tree

CSV_COLUMNS = ("kr", "value", "confidence", "note", "date")
NOTES_KEYS = ("went_well", "did_not", "change")
MAX_BYTES = 10_000_000


def _read(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise InputError(path, f"larger than {MAX_BYTES // 1_000_000} MB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(path, "not UTF-8 text", line) from None


def parse_confidence(text: str, path: str = "", line: int | None = None) -> int | None:
    """``''`` → None; a whole number 0–10 otherwise (``7/10`` is accepted)."""
    raw = text.strip()
    if raw.endswith("/10"):
        raw = raw[:-3].strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if not 0 <= value <= 10:
        message = f"confidence {quoted(text.strip())} is not a whole number 0–10"
        if path:
            raise InputError(path, message, line)
        raise ValueError(message)
    return value


def read_checkins_csv(path: str) -> list[CheckinInput]:
    """Rows of ``kr,value[,confidence,note,date]`` (a header row first; blank rows skipped)."""
    text = _read(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[CheckinInput] = []
    header: list[str] | None = None
    line = 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1  # a quoted note may span several lines
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in record]
                unknown = [c for c in header if c not in CSV_COLUMNS]
                if unknown:
                    raise InputError(
                        path,
                        f"unknown column {quoted(unknown[0])} (columns: {', '.join(CSV_COLUMNS)})",
                        start,
                    )
                for required in ("kr", "value"):
                    if required not in header:
                        raise InputError(path, f"a '{required}' column is required", start)
                if len(set(header)) != len(header):
                    raise InputError(path, "a column appears twice", start)
                continue
            if len(record) > len(header):
                raise InputError(
                    path, f"{len(record)} cells but the header has {len(header)}", start
                )
            cells = dict(zip(header, (c.strip() for c in record), strict=False))
            for column, cell in cells.items():  # a note is shown by status: no controls
                check_controls(cell, path, start, f"the '{column}' cell")
            kr, value = cells.get("kr", ""), cells.get("value", "")
            if not kr:
                raise InputError(path, "the 'kr' cell is empty", start)
            if not value:
                raise InputError(path, f"the 'value' cell of {kr} is empty", start)
            on = None
            if cells.get("date"):
                try:
                    on = date.fromisoformat(cells["date"])
                except ValueError:
                    raise InputError(
                        path, f"date {quoted(cells['date'])} is not YYYY-MM-DD", start
                    ) from None
            rows.append(
                CheckinInput(
                    kr=kr,
                    value=value,
                    confidence=parse_confidence(cells.get("confidence", ""), path, start),
                    note=" ".join(cells.get("note", "").split()),
                    on=on,
                    where=(path, start),
                )
            )
    except csv.Error as exc:
        raise InputError(path, f"invalid CSV: {exc}", line) from None
    if header is None:
        raise InputError(path, "the file is empty (expected a header: kr,value,…)", 1)
    if not rows:
        raise InputError(path, "no check-ins below the header", line)
    return rows


def _answers(value: Any, key: str, path: str, line: int | None) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            raise InputError(path, f"'{key}' must be a string or a list of strings", line)
        text = " ".join(str(item).split())
        if text:
            out.append(text)
    return tuple(out)


def read_notes(path: str) -> RetroNotes:
    """``went_well``, ``did_not`` and ``change``, each a string or a list of strings."""
    tree = yaml_tree(_read(path), path)
    check_controls(tree, path)
    if not isinstance(tree, dict):
        raise InputError(path, "expected a mapping with went_well, did_not and change", 1)
    for key in tree:
        if key not in NOTES_KEYS:
            raise InputError(
                path,
                f"unknown key {quoted(key)} (expected: {', '.join(NOTES_KEYS)})",
                line_of(tree),
            )
    notes = RetroNotes(
        *(
            _answers(tree.get(key), key, path, line_of(tree.get(key)) or line_of(tree))
            for key in NOTES_KEYS
        )
    )
    if notes.empty:
        raise InputError(path, "the notes are empty (went_well, did_not, change)", line_of(tree))
    return notes
