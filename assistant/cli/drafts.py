"""Versioned drafts on the command line: save, drafts, log, show, diff, restore, export,
import, delete, undelete, purge and doctor. Everything goes through
``assistant.services.drafts``; this module only parses options and renders."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from assistant.errors import UsageError
from assistant.paths import write_text_atomic
from assistant.render import ago

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Span, Text

    from assistant.model import Scores
    from assistant.store.models import Diff, ItemChange, ScoreDelta, VersionInfo

DIMENSIONS = ("clarity", "measurability", "ambition")
SPARKS = "▁▂▃▄▅▆▇█"
DEFAULT_LOG_LIMIT = 20


def _console() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def _svc():  # noqa: ANN202 - a module
    from assistant.services import drafts

    return drafts


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _ref(ref: str) -> tuple[str, int | None]:
    return _svc().parse_ref(ref)


def sparkline(values: Sequence[int]) -> str:
    """Overall scores (0–100) as block characters on a fixed scale, oldest first."""
    return "".join(SPARKS[min(len(SPARKS) - 1, max(0, v) * len(SPARKS) // 101)] for v in values)


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def _arrow(new: int, old: int | None) -> Text:
    from rich.text import Text

    if old is None or new == old:
        return Text(str(new))
    up = new > old
    return Text.assemble(str(new), ("↑" if up else "↓", "green" if up else "red"))


def _delta_text(delta: ScoreDelta | None) -> str:
    """'clarity +1, measurability +2' — only the dimensions that moved."""
    if delta is None:
        return ""
    parts = [f"{d} {_signed(getattr(delta, d))}" for d in DIMENSIONS if getattr(delta, d)]
    if delta.overall:
        parts.append(f"overall {_signed(delta.overall)}")
    return ", ".join(parts)


def _scores_brief(scores: Scores | None) -> str:
    if scores is None:
        return "–"
    return f"C{scores.clarity} M{scores.measurability} A{scores.ambition}"


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
        title=title,
        title_justify="left",
        caption=caption,
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

    # Names are never cut here: a long one just makes its line longer.
    cuttable = [replace(c, flex=c.flex and not c.wrap) for c in columns]
    widths = column_widths(cuttable, naturals, console.width - 2 * (len(columns) - 1))
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
        styles.append(Span(offset, offset + len(caption), "dim"))
        parts.extend([caption, "\n"])
    console.print(Text("".join(parts), spans=styles), soft_wrap=True, end="")


# --- save ---------------------------------------------------------------------------------


@click.command("save")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--draft",
    "-d",
    "draft",
    metavar="NAME",
    help="Draft to save to (default: the set's name, else the file stem).",
)
@click.option(
    "-m", "--message", required=True, metavar="MSG", help="What changed, like a commit message."
)
@click.option(
    "--author", metavar="A", help="Who made the change (default: $OKR_AUTHOR or your login)."
)
@click.option(
    "--set",
    "set_index",
    type=click.IntRange(1),
    metavar="N",
    help="Which set of a team file to save (1-based).",
)
@click.option(
    "--format-in",
    type=click.Choice(["yaml", "markdown", "md", "json", "csv"]),
    help="Input format when it cannot be told from the file name (stdin).",
)
def save_command(
    file: str,
    draft: str | None,
    message: str,
    author: str | None,
    set_index: int | None,
    format_in: str | None,
) -> None:
    """Save FILE as the next version of a draft.

    Each save appends a version holding the whole OKR set, its critique scores,
    your message and a hash chained to the previous version. Saving unchanged
    content adds nothing. The draft is created on first save.

    \b
    Examples:
      okr save team.yaml -m "First draft"
      okr save team.yaml --draft "Platform 2026-Q1" -m "Add baselines" --author Dana
      okr save okrs.yaml --set 2 -m "Growth team only"
      cat okrs.md | okr save - --draft growth -m "From the wiki"
    """
    from assistant.io import read_path

    svc = _svc()
    sets = read_path(file, format_in)
    if set_index is None and len(sets) > 1:
        raise UsageError(
            f"{file} holds {len(sets)} sets; pick one with --set N, "
            f"or save each as its own draft with `okr import {file}`"
        )
    index = set_index or 1
    if index > len(sets):
        raise UsageError(f"{file} holds {len(sets)} set(s); there is no set {index}")
    okr_set = sets[index - 1]
    name = draft or okr_set.name or (Path(file).stem if file != "-" else None)
    if not name:
        raise UsageError("reading stdin: name the draft with --draft NAME")
    outcome = svc.save(None, name, okr_set, message, author=author)
    _report_save(outcome, "Saved")


def _report_save(outcome: Any, verb: str) -> None:
    version: VersionInfo = outcome.version
    console = _console()
    if not outcome.created:
        console.print(
            f"Nothing changed: [bold]{_esc(version.draft)}[/] is already at v{version.number} "
            "with this content."
        )
        return
    previous = None
    if version.number > 1:
        older = _svc().history(None, version.draft, 2)
        previous = older[1].scores if len(older) > 1 else None
    score = ""
    if version.scores is not None:
        score = f" · overall {version.scores.overall}"
        if previous is not None:
            score += f" ({_signed(version.scores.overall - previous.overall)})"
    new = " (new draft)" if outcome.new_draft else ""
    console.print(
        f"{verb} [bold]{_esc(version.draft)}[/] v{version.number}{new} "
        f"[dim]{version.short_hash}[/]{score}"
    )


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


# --- drafts -------------------------------------------------------------------------------


@click.command("drafts")
@click.option(
    "--deleted", is_flag=True, help="List deleted drafts (restorable with `okr undelete`)."
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def drafts_command(deleted: bool, as_json: bool) -> None:
    """List your drafts: versions, latest scores and last change.

    \b
    Examples:
      okr drafts
      okr drafts --deleted        drafts deleted in the last 30 days (and older, until purged)
      okr drafts --json | jq '.drafts[].name'
    """
    summaries = _svc().list_drafts(None, deleted=deleted)
    now = datetime.now(UTC)
    if as_json:
        _emit_json(
            {
                "version": 1,
                "drafts": [
                    s.model_dump(mode="json") | {"purge_after": _iso(s.purge_after)}
                    for s in summaries
                ],
            }
        )
        return
    console = _console()
    if not summaries:
        if deleted:
            console.print("No deleted drafts.")
        else:
            console.print('No drafts yet. Save one with: okr save my-okrs.yaml -m "First draft"')
        return
    columns = [
        Column("Draft", style="bold", flex=True, wrap=True),
        Column("Versions", justify="right"),
        Column("Overall", justify="right"),
        Column("Scores"),
    ]
    if deleted:
        columns += [Column("Deleted"), Column("Purgeable from")]
    else:
        columns += [Column("Last change"), Column("Message", flex=True, max_width=60)]
    rows: list[list[str | Text]] = []
    for s in summaries:
        head = s.head
        overall = str(head.scores.overall) if head.scores else "–"
        row: list[str | Text] = [s.name, str(s.versions), overall, _scores_brief(head.scores)]
        if deleted and s.deleted_at and s.purge_after:
            row += [ago(s.deleted_at), s.purge_after.astimezone().strftime("%Y-%m-%d")]
        else:
            row += [f"{ago(head.created_at, now)} by {head.author}", head.message]
        rows.append(row)
    title = "Deleted drafts" if deleted else "Drafts"
    print_table(console, f"{title} ({len(summaries)})", columns, rows)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


# --- log ----------------------------------------------------------------------------------


@click.command("log", short_help="Show a draft's history with scores and their trend.")
@click.argument("name", metavar="NAME")
@click.option(
    "-n",
    "--limit",
    type=click.IntRange(1),
    default=DEFAULT_LOG_LIMIT,
    show_default=True,
    help="Show the latest N versions.",
)
@click.option("--all", "show_all", is_flag=True, help="Show every version.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def log_command(name: str, limit: int, show_all: bool, as_json: bool) -> None:
    """Show a draft's history, newest first, with scores and their trend.

    Each row is one version: who saved it, why (message), where it came from
    (manual, import, accept:rules, accept:llm, review, restore) and the scores
    at that version. Arrows mark a dimension that went up or down against the
    version before; the sparkline under the table shows the overall trend.

    \b
    Examples:
      okr log "Platform team"
      okr log growth --limit 50
      okr log growth --all --json > growth-history.json
    """
    svc = _svc()
    summary = svc.draft_summary(None, name)
    wanted = None if show_all else limit
    # One extra, older version so the oldest row shown still gets its arrows.
    rows = svc.history(None, name, None if wanted is None else wanted + 1)
    shown = rows if wanted is None else rows[:wanted]
    if as_json:
        _emit_json(
            {
                "version": 1,
                "draft": summary.name,
                "versions": summary.versions,
                "shown": len(shown),
                "history": [v.model_dump(mode="json") for v in shown],
            }
        )
        return
    console = _console()
    caption = None
    if len(shown) < summary.versions:
        caption = (
            f"latest {len(shown)} of {summary.versions} versions — --all or --limit N for more"
        )
    columns = [
        Column("v", justify="right", style="bold"),
        Column("When"),
        Column("Author", flex=True, max_width=16),
        Column("Source"),
        Column("Message", flex=True),
        *(Column(dim[0].upper(), justify="right") for dim in DIMENSIONS),
        Column("Overall", justify="right"),
    ]
    now = datetime.now(UTC)
    table_rows: list[list[str | Text]] = []
    for i, v in enumerate(shown):
        older = rows[i + 1].scores if i + 1 < len(rows) else None
        cells: list[str | Text] = [
            str(v.number),
            ago(v.created_at, now),
            v.author,
            v.source,
            v.message,
        ]
        if v.scores is None:
            cells += ["–"] * 4
        else:
            for dim in DIMENSIONS:
                cells.append(_arrow(getattr(v.scores, dim), getattr(older, dim) if older else None))
            cells.append(_overall_cell(v.scores.overall, older.overall if older else None))
        table_rows.append(cells)
    title = f"{summary.name} · {summary.versions} version{'s' if summary.versions != 1 else ''}"
    print_table(console, title, columns, table_rows, caption)
    trend = [v.scores.overall for v in reversed(shown) if v.scores is not None]
    if len(trend) > 1:
        console.print(
            f"Overall trend (oldest → newest): {sparkline(trend)}  {trend[0]} → {trend[-1]} "
            f"({_signed(trend[-1] - trend[0])})"
        )
    console.print("[dim]C = clarity, M = measurability, A = ambition (1–5); overall 0–100[/]")


def _overall_cell(new: int, old: int | None) -> Text:
    from rich.text import Text

    if old is None or new == old:
        return Text(str(new))
    colour = "green" if new > old else "red"
    return Text.assemble(str(new), " ", (_signed(new - old), colour))


# --- show ---------------------------------------------------------------------------------


@click.command("show", short_help="Print a version of a draft as YAML.")
@click.argument("ref", metavar="NAME[@V]")
def show_command(ref: str) -> None:
    """Print one version of a draft as YAML (the latest unless @V is given).

    The output is a valid OKR file: pipe it to a file to edit, critique or save it.
    The first line is a YAML comment saying which version it is.

    \b
    Examples:
      okr show "Platform team"
      okr show "Platform team@3" > v3.yaml
      okr show growth@v2 | okr critique -
    """
    from assistant.io import write_sets

    name, number = _ref(ref)
    version = _svc().get_version(None, name, number)
    header = (
        f"# {version.draft} v{version.number} ({version.short_hash}) · "
        f"{version.created_at.astimezone().strftime('%Y-%m-%d %H:%M')} · {version.author} · "
        f"{version.source}: {version.message}"
    )
    click.echo(header)
    click.echo(write_sets([version.okr_set], "yaml"), nl=False)


# --- diff ---------------------------------------------------------------------------------


@click.command("diff", short_help="Show what changed between two versions, with score deltas.")
@click.argument("name", metavar="NAME")
@click.argument("v1", type=click.IntRange(1), metavar="V1")
@click.argument("v2", type=click.IntRange(1), metavar="[V2]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def diff_command(name: str, v1: int, v2: int | None, as_json: bool) -> None:
    """Show what changed from version V1 to V2 (default: the latest).

    Objectives and key results are matched by their text, so an edited KR shows
    as a change (- old, + new) with the score change per dimension, even when
    others were added or removed around it. Scores use the current rubric.

    \b
    Examples:
      okr diff "Platform team" 1 4
      okr diff growth 3              changes since v3
      okr diff growth 1 2 --json
    """
    result = _svc().diff(None, name, v1, v2)
    if as_json:
        _emit_json({"version": 1, **result.model_dump(mode="json")})
        return
    _render_diff(_console(), result)


def _render_diff(console: Console, d: Diff) -> None:
    console.print(f"[bold]{_esc(d.draft)}[/] v{d.old.number} → v{d.new.number}")
    dims = [
        f"{dim} {getattr(d.old_scores, dim)} → {getattr(d.new_scores, dim)}"
        + (f" ({_signed(getattr(d.delta, dim))})" if getattr(d.delta, dim) else "")
        for dim in DIMENSIONS
    ]
    console.print(
        f"overall {d.old_scores.overall} → {d.new_scores.overall} ({_signed(d.delta.overall)}) · "
        + " · ".join(dims)
    )
    for change in d.set_fields:
        console.print(
            f"[yellow]~ {change.field}:[/] {_esc(str(change.old))} → {_esc(str(change.new))}"
        )
    if not d.changed:
        console.print("No changes.")
        return
    for obj in d.objectives:
        _render_item(console, obj, indent="")
        hidden = 0
        for kr in obj.key_results:
            if kr.kind == "unchanged":
                hidden += 1
                continue
            _render_item(console, kr, indent="    ")
        if hidden and obj.kind != "unchanged":
            console.print(f"    [dim]({hidden} key result{'s' if hidden > 1 else ''} unchanged)[/]")


def _render_item(console: Console, item: ItemChange, indent: str) -> None:
    delta = _delta_text(item.delta)
    tail = f"  [cyan]{delta}[/]" if delta else ""
    if item.kind == "unchanged":
        console.print(f"{indent}[dim]  {item.new_id} {_esc(item.new_text or '')} (unchanged)[/]")
    elif item.kind == "added":
        console.print(f"{indent}[green]+ {item.new_id} {_esc(item.new_text or '')}[/]")
    elif item.kind == "removed":
        console.print(f"{indent}[red]- {item.old_id} {_esc(item.old_text or '')}[/]")
    else:
        if item.old_text != item.new_text:
            console.print(f"{indent}[red]- {item.old_id} {_esc(item.old_text or '')}[/]")
            console.print(f"{indent}[green]+ {item.new_id} {_esc(item.new_text or '')}[/]{tail}")
        else:
            label = item.new_id if item.old_id == item.new_id else f"{item.old_id} → {item.new_id}"
            console.print(f"{indent}[yellow]~ {label} {_esc(item.new_text or '')}[/]{tail}")
        for f in item.fields:
            console.print(
                f"{indent}    [yellow]{f.field}:[/] {_esc(str(f.old))} → {_esc(str(f.new))}"
            )


# --- restore ------------------------------------------------------------------------------


@click.command("restore")
@click.argument("name", metavar="NAME")
@click.argument("version", type=click.IntRange(1), metavar="V")
@click.option(
    "-m", "--message", metavar="MSG", help="Message for the new version (default: 'Restore vV')."
)
@click.option("--author", metavar="A", help="Who restores it (default: $OKR_AUTHOR or your login).")
def restore_command(name: str, version: int, message: str | None, author: str | None) -> None:
    """Make version V the latest again, as a NEW version.

    Nothing is lost: the versions after V stay in the history, so you can
    restore them too. Restoring what the latest version already holds adds nothing.

    \b
    Examples:
      okr restore "Platform team" 3
      okr restore growth 2 -m "Back to the simpler KRs"
    """
    outcome = _svc().restore(None, name, version, message=message, author=author)
    _report_save(outcome, f"Restored v{version} as")


# --- export / import ----------------------------------------------------------------------

_EXPORT_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".md": "markdown", ".json": "json"}


@click.command("export", short_help="Export a version, or back up every draft (--all).")
@click.argument("ref", metavar="NAME[@V]", required=False)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["yaml", "md", "markdown", "json"]),
    help="Output format (default: from -o's extension, else yaml).",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout."
)
@click.option(
    "--all",
    "all_dir",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="Back up every draft with its full history (deleted ones too) into DIR.",
)
def export_command(
    ref: str | None, fmt: str | None, output: str | None, all_dir: str | None
) -> None:
    """Export one version as an OKR file, or back up everything with --all.

    A single version is written as YAML, Markdown or JSON that `okr critique`
    and `okr save` read back. `--all DIR` writes one JSON file per draft with
    every version, its hash, message, author, source and scores, plus
    manifest.json; `okr import DIR` restores it and verifies every hash.

    \b
    Examples:
      okr export "Platform team" --format md -o platform.md
      okr export growth@3 --format json
      okr export --all ~/okr-backup
    """
    svc = _svc()
    if all_dir is not None:
        if ref or output or fmt:
            raise UsageError("--all DIR backs up every draft; it takes no NAME, --format or -o")
        written = svc.export_all(None, Path(all_dir))
        _console().print(f"Backed up {len(written)} draft(s) to {_esc(all_dir)}")
        return
    if not ref:
        raise UsageError("name a draft to export (NAME or NAME@V), or use --all DIR")
    if fmt is None:
        fmt = _EXPORT_SUFFIXES.get(Path(output).suffix.lower(), "yaml") if output else "yaml"
    name, number = _ref(ref)
    text = svc.export_version(None, name, number, fmt)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_text_atomic(output, text)
    except OSError as exc:
        raise UsageError(f"{output}: cannot write ({exc.strerror or exc})") from None
    click.echo(f"Wrote {output}", err=True)


@click.command("import")
@click.argument("path", type=click.Path(allow_dash=True), metavar="PATH")
@click.option(
    "--draft", "-d", metavar="NAME", help="Draft name (a single set or a single draft backup)."
)
@click.option("-m", "--message", metavar="MSG", help="Message for versions made from an OKR file.")
@click.option("--author", metavar="A", help="Author for versions made from an OKR file.")
@click.option(
    "--format-in",
    type=click.Choice(["yaml", "markdown", "md", "json", "csv"]),
    help="Input format when it cannot be told from the file name (stdin).",
)
def import_command(
    path: str, draft: str | None, message: str | None, author: str | None, format_in: str | None
) -> None:
    """Import a backup or an OKR file.

    \b
    A backup (a directory from `okr export --all`, or one draft's .json from it)
    is restored with its full history. Every hash is verified first; versions
    already present are skipped, and a draft whose history differs is refused
    (nothing is written) — import it under another name with --draft.
    An OKR file (yaml, md, json, csv) becomes the next version of each set's
    draft, with source "import".

    \b
    Examples:
      okr import ~/okr-backup
      okr import ~/okr-backup/growth.json --draft growth-restored
      okr import team.csv -m "Imported from the planning sheet"
    """
    results = _svc().import_path(
        None, path, draft=draft, message=message, author=author, format_in=format_in
    )
    console = _console()
    for r in results:
        state = "new draft" if r.new_draft else "existing draft"
        skipped = f", {r.skipped} already present" if r.skipped else ""
        console.print(f"{_esc(r.name)}: {r.added} version(s) added ({state}{skipped})")


# --- delete / undelete / purge ------------------------------------------------------------


@click.command("delete")
@click.argument("name", metavar="NAME")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_command(name: str, yes: bool) -> None:
    """Delete a draft (reversible for 30 days).

    The draft disappears from `okr drafts` but keeps its whole history:
    `okr undelete NAME` brings it back. Drafts deleted more than 30 days ago
    are only removed for good by `okr purge`.

    \b
    Examples:
      okr delete "Old plan"
      okr delete scratch --yes
    """
    svc = _svc()
    summary = svc.draft_summary(None, name)
    if not yes:
        click.confirm(
            f"Delete draft '{name}' ({summary.versions} version(s))? "
            f"`okr undelete {name}` brings it back",
            abort=True,
            err=True,
        )
    deleted = svc.delete(None, name)
    purge_after = (
        deleted.purge_after.astimezone().strftime("%Y-%m-%d") if deleted.purge_after else "?"
    )
    _console().print(
        f"Deleted '{_esc(name)}'. Undo with: okr undelete {_esc(_quote(name))} "
        f"(kept at least until {purge_after})"
    )


def _quote(name: str) -> str:
    import shlex

    return shlex.quote(name)


@click.command("undelete")
@click.argument("name", metavar="NAME")
def undelete_command(name: str) -> None:
    """Bring back a deleted draft with its whole history.

    \b
    Examples:
      okr drafts --deleted
      okr undelete "Old plan"
    """
    summary = _svc().undelete(None, name)
    _console().print(f"Restored draft '{_esc(summary.name)}' ({summary.versions} version(s)).")


@click.command("purge")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
def purge_command(yes: bool, dry_run: bool) -> None:
    """Remove for good the drafts deleted more than 30 days ago.

    This is the only command that erases history. Recently deleted drafts
    and all live drafts are never touched.

    \b
    Examples:
      okr purge --dry-run
      okr purge --yes
    """
    svc = _svc()
    expired = svc.purge(None, dry_run=True)
    console = _console()
    if not expired:
        console.print("Nothing to purge: no draft was deleted more than 30 days ago.")
        return
    listing = ", ".join(expired)
    if dry_run:
        console.print(f"Would remove {len(expired)} draft(s) for good: {_esc(listing)}")
        return
    if not yes:
        click.confirm(
            f"Remove {len(expired)} draft(s) for good ({listing})? This cannot be undone",
            abort=True,
            err=True,
        )
    removed = svc.purge(None)
    console.print(f"Removed {len(removed)} draft(s) for good: {_esc(', '.join(removed))}")


# --- doctor -------------------------------------------------------------------------------


@click.command("doctor", short_help="Verify the drafts database and every hash chain.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def doctor_command(as_json: bool) -> None:
    """Check the drafts database: SQLite integrity and every version's hash chain.

    Exits 0 when healthy and 1 when something is broken (each problem is
    listed). It never modifies the database. If it is damaged, move okr.db
    aside and restore a backup with `okr import DIR`.

    \b
    Examples:
      okr doctor
      okr doctor --json
    """
    report = _svc().doctor(None)
    if as_json:
        _emit_json({"version": 1, **report.model_dump(mode="json"), "ok": report.ok})
    else:
        console = _console()
        if not report.exists:
            console.print(
                f"No drafts database yet at {_esc(report.path)} (it is created on first save)."
            )
            return
        console.print(f"Database: {_esc(report.path)}")
        console.print(
            f"Schema: version {report.schema_version} ({', '.join(report.migrations) or 'none'})"
        )
        console.print(f"Integrity check: {_esc(report.integrity)}")
        console.print(f"Drafts: {report.drafts} · versions: {report.versions}")
        if report.ok:
            console.print("[green]OK[/]: every hash chain verifies.")
        else:
            for problem in report.problems:
                console.print(f"[red]problem:[/] {_esc(problem)}")
            console.print(f"[red]{len(report.problems)} problem(s) found.[/]")
    if not report.ok:
        sys.exit(1)


COMMANDS = (
    save_command,
    drafts_command,
    log_command,
    show_command,
    diff_command,
    restore_command,
    export_command,
    import_command,
    delete_command,
    undelete_command,
    purge_command,
    doctor_command,
)


def register(group: click.Group) -> None:
    for command in COMMANDS:
        group.add_command(command)
