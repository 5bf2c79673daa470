"""Tables for listings (``okr drafts``, ``okr log``): a Rich table for everyday sizes,
a compact aligned grid (same columns) for very long ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Span, Text

# Above this many rows a Rich table costs ~0.3 ms a row to lay out, so long listings
# use a compact aligned layout (same columns) that stays fast at 10,000 rows.
TABLE_MAX_ROWS = 200


@dataclass(frozen=True)
class Column:
    header: str
    justify: str = "left"
    style: str | None = None
    flex: bool = False  # shares the width left by the other columns
    wrap: bool = False  # a flexible column that wraps (names) instead of ending in …
    max_width: int | None = None


def _plain_cells(
    columns: Sequence[Column], rows: Sequence[Sequence[str | Text]]
) -> list[list[tuple[str, list[Span]]]]:
    from rich.text import Text

    out = []
    for row in rows:
        cells = []
        for c, cell in zip(columns, row, strict=True):
            plain, spans = (cell.plain, list(cell.spans)) if isinstance(cell, Text) else (cell, [])
            cells.append(_fit(plain, spans, c.max_width))
        out.append(cells)
    return out


def _fit(plain: str, spans: list[Span], width: int | None) -> tuple[str, list[Span]]:
    """Cut ``plain`` to ``width`` cells with a trailing …, keeping the styles that remain."""
    if width is None or (len(plain) <= width and plain.isascii()):
        return plain, spans
    from rich.cells import cell_len, set_cell_size
    from rich.text import Span

    if cell_len(plain) <= width:
        return plain, spans
    cut = set_cell_size(plain, max(0, width - 1)).rstrip() + "…"
    return cut, [Span(a, min(b, len(cut)), st) for a, b, st in spans if a < len(cut)]


def literal(cell: str | Text) -> Text:
    """A cell shown as written: no console markup, control characters as visible escapes.

    Names, authors and messages come from the store; ``[bold]`` or ``[link=…]`` in them
    must print as those characters, and an ESC must never reach the terminal.
    """
    from rich.text import Text

    from assistant.domain.text_safety import is_safe, safe_text

    if isinstance(cell, Text):
        return cell if is_safe(cell.plain) else Text(safe_text(cell.plain), style=cell.style)
    return Text(safe_text(cell))


def column_widths(columns: Sequence[Column], naturals: Sequence[int], available: int) -> list[int]:
    """Natural widths; flexible columns share what the others leave (at least 8 each).

    Shorter flexible columns are served first, so one that fits keeps its width and
    hands the rest to the long one.
    """
    widths = list(naturals)
    flexible = sorted((i for i, c in enumerate(columns) if c.flex), key=lambda i: widths[i])
    room = available - sum(w for i, w in enumerate(widths) if not columns[i].flex)
    for k, i in enumerate(flexible):
        widths[i] = min(widths[i], max(8, room // (len(flexible) - k)))
        room -= widths[i]
    return widths


def print_table(
    console: Console,
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str | Text]],
    caption: str | None = None,
) -> None:
    """A Rich table for everyday sizes; a compact grid for very long listings.

    Widths are computed here rather than left to Rich, so that short columns (scores,
    dates) never shrink and only names and messages give way on a narrow terminal.
    """
    from rich.cells import cell_len

    rows = [[literal(cell) for cell in row] for row in rows]
    cells = _plain_cells(columns, rows)
    naturals = [
        max([cell_len(c.header)] + [cell_len(row[i][0]) for row in cells])
        for i, c in enumerate(columns)
    ]
    if len(rows) > TABLE_MAX_ROWS:
        _print_grid(console, title, columns, cells, naturals, caption)
        return
    from rich import box
    from rich.table import Table

    # No outer edge, one space between columns plus one cell of padding each side.
    overhead = 3 * (len(columns) - 1)
    widths = column_widths(columns, naturals, console.width - overhead)
    table = Table(
        title=literal(title),
        title_justify="left",
        caption=literal(caption) if caption is not None else None,
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    for c, width in zip(columns, widths, strict=True):
        table.add_column(
            c.header,
            justify=c.justify,  # type: ignore[arg-type]
            style=c.style,
            width=width,
            no_wrap=not c.wrap,
            overflow="fold" if c.wrap else "ellipsis",
        )
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _print_grid(
    console: Console,
    title: str,
    columns: Sequence[Column],
    cells: list[list[tuple[str, list[Span]]]],
    naturals: list[int],
    caption: str | None,
) -> None:
    """Aligned columns built as one string plus style spans: linear and cheap per row."""
    from rich.cells import cell_len
    from rich.text import Span, Text

    from assistant.domain.text_safety import safe_text

    # Names are never cut here: a long one just makes its line longer.
    cuttable = [replace(c, flex=c.flex and not c.wrap) for c in columns]
    widths = column_widths(cuttable, naturals, console.width - 2 * (len(columns) - 1))
    title = safe_text(title)
    parts: list[str] = [title, "\n"]
    styles: list[Span] = [Span(0, len(title), "italic")]
    offset = len(title) + 1

    def line(row: Sequence[tuple[str, list[Span]]], header: bool = False) -> None:
        nonlocal offset
        for i, (c, (plain, spans), width) in enumerate(zip(columns, row, widths, strict=True)):
            plain, spans = _fit(plain, spans, width)
            pad = " " * max(0, width - cell_len(plain))
            last = i == len(columns) - 1
            lead = "  " if i else ""
            if c.justify == "right":
                text, begin = lead + pad + plain, offset + len(lead) + len(pad)
            else:
                text, begin = lead + plain + ("" if last else pad), offset + len(lead)
            style = "bold" if header else c.style
            if style:
                styles.append(Span(begin, begin + len(plain), style))
            styles.extend(Span(begin + a, begin + b, st) for a, b, st in spans)
            parts.append(text)
            offset += len(text)
        parts.append("\n")
        offset += 1

    line([(c.header, []) for c in columns], header=True)
    for row in cells:
        line(row)
    if caption:
        caption = safe_text(caption)
        styles.append(Span(offset, offset + len(caption), "dim"))
        parts.extend([caption, "\n"])
    console.print(Text("".join(parts), spans=styles), soft_wrap=True, end="")
