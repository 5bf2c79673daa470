"""A KR's number from a column of a CSV file: rows filtered by ``where``, reduced by
``pick`` (``last`` by default). Empty cells are skipped (today's row not filled in yet);
``count`` counts the non-empty cells and is 0 when none match.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from statistics import fmean
from typing import TextIO

from assistant.domain.source_spec import CsvSource, SourceSpec
from assistant.sources.expand import Expansion
from assistant.sources.reading import SourceContext, SourceError, SourceReading, as_number

_DELIMITERS = (",", ";", "\t", "|")


def read_csv(spec: SourceSpec, context: SourceContext) -> SourceReading:
    assert isinstance(spec, CsvSource)
    expand = Expansion("csv", context.env)
    shown = spec.location
    path = context.path(expand(spec.location, "csv path"))
    pick = spec.pick or "last"
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            values = list(_values(fh, spec, shown))
    except FileNotFoundError:
        raise SourceError("csv", f"{shown}: no such file") from None
    except IsADirectoryError:
        raise SourceError("csv", f"{shown}: is a directory, not a CSV file") from None
    except PermissionError:
        raise SourceError("csv", f"{shown}: permission denied") from None
    except UnicodeDecodeError:
        raise SourceError("csv", f"{shown}: not UTF-8 text") from None
    except csv.Error as exc:
        raise SourceError("csv", f"{shown}: invalid CSV ({exc})") from None
    except OSError as exc:
        raise expand.error(f"{shown}: cannot read ({exc.strerror or exc})") from None
    if pick == "count":
        value = float(len(values))
    elif not values:
        where = _where_text(spec)
        raise SourceError(
            "csv", f"{shown}: no value in column '{spec.column}'{where} (empty result)"
        )
    else:
        numbers = [n for n, _line in values]
        value = {
            "last": lambda: numbers[-1],
            "sum": lambda: sum(numbers),
            "mean": lambda: fmean(numbers),
            "min": lambda: min(numbers),
            "max": lambda: max(numbers),
        }[pick]()
    rows = f"{len(values)} row{'s' if len(values) != 1 else ''}"
    where = _where_text(spec)
    return SourceReading(
        "csv", value, f"{shown} column {spec.column}{where}: {pick} of {rows}", spec.unit
    )


def _values(fh: TextIO, spec: CsvSource, shown: str) -> Iterator[tuple[float, int]]:
    """``(number, line)`` of each non-empty cell of the column in rows matching ``where``."""
    header_line = fh.readline()
    if not header_line.strip():
        raise SourceError("csv", f"{shown}: the file is empty (no header)")
    delimiter = max(_DELIMITERS, key=header_line.count) if "," not in header_line else ","
    fh.seek(0)
    reader = csv.reader(fh, delimiter=delimiter, strict=True)
    header = [name.strip() for name in next(reader)]
    index = _column(header, spec.column, shown)
    where = [(_column(header, col, shown), str(want)) for col, want in (spec.where or {}).items()]
    for row in reader:
        if not row:
            continue
        if any(not _same(row[i] if i < len(row) else "", want) for i, want in where):
            continue
        cell = row[index].strip() if index < len(row) else ""
        if not cell:
            continue
        what = f"{shown}:{reader.line_num}: column {spec.column}"
        yield as_number(cell, "csv", what), reader.line_num


def _column(header: list[str], name: str, shown: str) -> int:
    if name in header:
        return header.index(name)
    folded = [h.casefold() for h in header]
    if name.strip().casefold() in folded:
        return folded.index(name.strip().casefold())
    columns = ", ".join(h for h in header if h) or "none"
    raise SourceError("csv", f"{shown}: no column '{name}' in the header (columns: {columns})")


def _same(cell: str, want: str) -> bool:
    """Equal as text, or as numbers (``2026.0`` matches ``2026``)."""
    cell = cell.strip()
    if cell == want.strip():
        return True
    try:
        return float(cell) == float(want)
    except ValueError:
        return False


def _where_text(spec: CsvSource) -> str:
    if not spec.where:
        return ""
    return " where " + ", ".join(f"{k} = {v}" for k, v in spec.where.items())
