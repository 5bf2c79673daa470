"""``okr status`` and ``okr grade`` as text (Rich), Markdown and SPEC §7 JSON; the team table.

Pure functions of ``CycleStatus`` values (and, for ``okr status``, the ``Calibration``
of the draft's owners). Text from the store (KR texts, titles, notes)
is cleaned of control characters and only ever placed in Rich ``Text`` objects, never
parsed as markup, so ``[bold]`` in a KR prints literally.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from assistant.domain.cycle import FLAG_TEXT, format_value, grade_colour
from assistant.domain.cycle_status import Checkin, CycleStatus, KRStatus
from assistant.domain.plural import counted

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from assistant.domain.calibration import Calibration, CalibrationGroup
    from assistant.domain.cycle import Track

STATUS_FORMATS = ("text", "markdown", "json", "html")
GRADE_FORMATS = ("text", "markdown", "json")
STATUS_STYLE = {"on-track": "green", "at-risk": "yellow", "off-track": "red", "no-data": "grey50"}
SPARKS = "▁▂▃▄▅▆▇█"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str | None) -> str:
    """Text from the store, safe for a terminal or a table cell: no control characters
    (escape sequences, bidi overrides), whitespace collapsed to single spaces."""
    return " ".join(_CONTROL_RE.sub(" ", text or "").split())


def _r(value: float | None, places: int = 3) -> float | None:
    # JSON has no Infinity or NaN: a non-finite value (stored by an older version) is null
    return None if value is None or not math.isfinite(value) else round(value, places)


def _number(value: float | None) -> float | int | None:
    if value is None or not math.isfinite(value):
        return None
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else round(value, 6)


def kr_json(kr: KRStatus, *, history: bool = True) -> dict[str, Any]:
    t = kr.track
    data: dict[str, Any] = {
        "id": t.id,
        "text": t.text,
        "type": t.type,
        "mode": t.mode,
        "baseline": _number(t.baseline),
        "target": _number(t.target),
        "unit": t.unit or None,
        "value": _number(kr.value),
        "progress": _r(kr.progress),
        "expected": _r(kr.expected),
        "expected_now": _r(kr.expected_now),
        "confidence": kr.confidence,
        "confidence_trend": kr.confidence_trend,
        "status": kr.status,
        "stale": kr.stale,
        "days_since_update": kr.days_since_update,
        "grade": kr.grade,
        "grade_colour": grade_colour(kr.grade),
        "flags": list(kr.flags),
        "checkins_count": kr.days_checked_in,
        "last_checkin": kr.latest.on.isoformat() if kr.latest else None,
    }
    if history:
        of_day = day_checkins(kr)
        data["checkins"] = [
            {
                "date": p.on.isoformat(),
                "value": _number(p.value),
                "progress": _r(p.progress),
                "expected": _r(p.expected),
                "confidence": p.confidence,
                "note": p.note,
                "source": of_day[p.on].source,
                "provenance": of_day[p.on].provenance,
            }
            for p in kr.points
        ]
    return data


def day_checkins(kr: KRStatus) -> dict[date, Checkin]:
    """The check-in each of the KR's points (one per day) comes from: the day's last."""
    return {c.on: c for c in kr.checkins}


def synced_from(kr: KRStatus) -> str | None:
    """``36% on 2024-01-16 from sync:csv metrics.csv column activation: last of 2 rows``
    when the KR's current value was read by ``okr sync``, else None."""
    if not kr.checkins or not kr.checkins[-1].source.startswith("sync:"):
        return None
    last = kr.checkins[-1]
    where = f" {last.provenance}" if last.provenance else ""
    shown = kr_value(last.value, kr.track)
    return f"{kr.track.id} {shown} on {last.on} from {last.source}{where}"


def status_json(
    status: CycleStatus, *, with_version: bool = True, history: bool = True
) -> dict[str, Any]:
    """The SPEC §7 object (plus ``status``, ``flags``, ``as_of`` and per-KR extras);
    ``history=False`` leaves out each KR's list of check-ins (the team report)."""
    c = status.cycle
    data: dict[str, Any] = {"version": 1} if with_version else {}
    data.update(
        {
            "draft": c.draft,
            "cycle": {
                "label": c.label,
                "start": c.start.isoformat(),
                "end": c.end.isoformat(),
                "launched_version": c.version,
                "state": c.state,
                "as_of": status.as_of.isoformat(),
                "graded_at": c.graded_at,
            },
            "key_results": [kr_json(kr, history=history) for kr in status.key_results],
            "objectives": [
                {
                    "id": o.id,
                    "title": o.title,
                    "type": o.type,
                    "progress": _r(o.progress),
                    "status": o.status,
                    "grade": o.grade,
                    "flags": list(o.flags),
                }
                for o in status.objectives
            ],
            "progress": _r(status.progress),
            "status": status.status,
            "grade": status.grade,
            "flags": list(status.flags),
        }
    )
    return data


def team_json(statuses: Sequence[CycleStatus], today: date) -> dict[str, Any]:
    return {
        "version": 1,
        "as_of": today.isoformat(),
        "drafts": [status_json(s, with_version=False, history=False) for s in statuses],
    }


# --- shared pieces ----------------------------------------------------------------------------


def pct(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100):d}%"


def bar(progress: float | None, expected: float | None = None, width: int = 10) -> str:
    """``██████░░┆░`` — progress filled, the expected point marked ``┆`` when ahead of it."""
    filled = round((progress or 0.0) * width)
    cells = ["█" if i < filled else "░" for i in range(width)]
    if expected is not None:
        at = min(width - 1, max(0, round(expected * width) - 1))
        if at >= filled:
            cells[at] = "┆"
    return "".join(cells)


def sparkline(kr: KRStatus, width: int = 12) -> str:
    """The KR's progress over its check-ins, one block per check-in (the latest ``width``)."""
    points = kr.points[-width:]
    return "".join(SPARKS[min(7, int(p.progress * 7.999))] for p in points)


def trend(delta: int | None) -> str:
    if delta is None:
        return ""
    return "→" if delta == 0 else (f"↑{delta}" if delta > 0 else f"↓{-delta}")


def grade_text(grade: float | None) -> str:
    return "–" if grade is None else f"{grade:.1f}"


def journey(kr: KRStatus) -> str:
    """``32% → 41% → 50%``: baseline, latest value, target (a fraction KR: ``0 → 0.4 → done``)."""
    t = kr.track
    if t.mode == "fraction":
        value = "–" if kr.value is None else ("done" if kr.value >= 1 else f"{kr.value:.2g}")
        return f"0 → {value} → done"
    return f"{kr_value(t.baseline, t)} → {kr_value(kr.value, t)} → {kr_value(t.target, t)}"


# Units whose singular a reader expects after 1: "1 day", not "1 days".
_SINGULAR = {
    "days": "day",
    "weeks": "week",
    "months": "month",
    "years": "year",
    "quarters": "quarter",
    "points": "point",
}


def _decimals(number: float) -> int:
    """How many decimals ``number`` is written with: 0 for 3, 1 for 1.5, 2 for 0.25 (≤ 4)."""
    for places in range(4):
        if abs(number - round(number, places)) <= 1e-9 * max(1.0, abs(number)):
            return places
    return 4


def kr_value(value: float | None, track: Track) -> str:
    """A value in the KR's unit at the KR's own precision: one decimal more than its
    baseline and target are written with (none more from 1,000 up), trailing zeros
    dropped, the unit singular after 1. ``3 days → 1.7 days → 1 day``, ``32% → 41.5% →
    50%``, ``$1,200,000 → $1,234,568 → $2,000,000``, ``1 in 12 → 1 in 10 → 1 in 8``."""
    if value is None or not math.isfinite(value):
        return "–"
    if track.unit == "ratio":  # "from 1 in 12 to 1 in 8": read back as written
        return format_value(value, "ratio")
    own = max((_decimals(v) for v in (track.baseline, track.target) if v is not None), default=0)
    places = own if abs(value) >= 1000 else own + 1
    number = f"{round(value, places):,.{places}f}"
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    if number in ("-0", "−0"):
        number = "0"
    unit = track.unit
    if unit in ("$", "€", "£", "¥"):
        return f"-{unit}{number[1:]}" if number.startswith("-") else f"{unit}{number}"
    if unit in ("%", ""):
        return f"{number}{unit}"
    if number in ("1", "-1"):
        unit = _SINGULAR.get(unit, unit)
    return f"{number} {unit}"


def headline(status: CycleStatus) -> str:
    c = status.cycle
    day = (min(status.as_of, c.end) - c.start).days + 1
    total = (c.end - c.start).days + 1
    when = (
        f"graded {(c.graded_at or '')[:10]}"
        if c.state == "graded"
        else (f"day {day} of {total}" if day >= 1 else f"starts {c.start}")
    )
    return (
        f"{clean(c.draft)} · {clean(c.label)} ({c.start} → {c.end}) · launched from v{c.version}"
        f" · {when}"
    )


def stale_line(status: CycleStatus) -> str | None:
    stale = status.stale
    if not stale:
        return None
    parts = [
        f"{kr.track.id} "
        f"({'never' if kr.days_since_update is None else counted(kr.days_since_update, 'day')})"
        for kr in stale
    ]
    return f"Not updated for 14+ days: {', '.join(parts)}"


CALIBRATION_TITLE = "Calibration of the owners"
CALIBRATION_ABOUT = (
    "Each confidence given in a check-in of a graded cycle is a forecast that the KR "
    "succeeds (grade 1.0 if committed, 0.7 or more if aspirational); bias is the mean "
    "confidence minus the share that came true: over +0.15 is over-confident, under "
    "−0.15 under-confident, fewer than 5 forecasts too few."
)
CALIBRATION_NONE = "No confidence to score yet: calibration reads the check-ins of graded cycles."


def calibration_detail(group: CalibrationGroup) -> str:
    """``said 9.0/10 on average, 0% came true · bias +0.90 · Brier 0.81 · 9 forecasts on
    3 KRs in 1 cycle``."""
    said = f"said {group.confidence * 10:.1f}/10 on average, {group.success:.0%} came true"
    return f"{said} · {calibration_score(group)}"


def calibration_score(group: CalibrationGroup) -> str:
    """``bias +0.90 · Brier 0.81 · 9 forecasts on 3 KRs in 1 cycle``."""
    return (
        f"bias {group.bias:+.2f} · Brier {group.brier:.2f} · "
        f"{counted(group.forecasts, 'forecast')} on {counted(group.krs, 'KR')} "
        f"in {counted(group.cycles, 'cycle')}"
    )


VERDICT_STYLE = {
    "over-confident": "red",
    "under-confident": "yellow",
    "calibrated": "green",
    "too few": "grey50",
}


# --- text (Rich) ------------------------------------------------------------------------------


def console_buffer(color: bool, width: int | None) -> tuple[Console, io.StringIO]:
    from assistant.render.safe import safe_console

    buffer = io.StringIO()
    if width is None and color:
        import shutil

        width = shutil.get_terminal_size((100, 24)).columns
    console = safe_console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=width or 100,
        highlight=False,
        emoji=False,
        markup=False,
    )
    return console, buffer


def styled(text: str, style: str = "") -> Text:
    from rich.text import Text

    return Text(clean(text), style=style)


def status_text(
    status: CycleStatus,
    *,
    color: bool = False,
    width: int | None = None,
    calibration: Calibration | None = None,
) -> str:
    from rich.table import Table
    from rich.text import Text

    console, buffer = console_buffer(color, width)
    graded = status.cycle.state == "graded"
    console.print(styled(headline(status), "bold"))
    if not graded:
        console.print(
            styled(
                f"Expected by {status.as_of}: {pct(status.key_results[0].expected_now if status.key_results else None)} of the way",
                "dim",
            )
        )
    for objective in status.objectives:
        console.print()
        head = Text.assemble(
            (f"{objective.id} ", "bold"),
            styled(objective.title, "bold"),
            "  ",
            (f"progress {pct(objective.progress)}", ""),
            "  ",
            (objective.status, STATUS_STYLE[objective.status]),
        )
        if graded:
            head.append(f"  grade {grade_text(objective.grade)}", _grade_style(objective.grade))
        for flag in objective.flags:
            head.append(f"  ⚑ {FLAG_TEXT.get(flag, flag)}", "magenta")
        console.print(head)
        table = Table(box=None, show_header=True, header_style="dim", pad_edge=False, expand=False)
        table.add_column("KR", no_wrap=True)
        table.add_column("key result", ratio=1, overflow="fold")
        table.add_column("baseline → now → target", overflow="fold")
        table.add_column("progress", no_wrap=True)
        table.add_column("conf", no_wrap=True, justify="right")
        table.add_column("grade" if graded else "status", no_wrap=True)
        for kr in status.key_results:
            if kr.track.objective != objective.id:
                continue
            conf = (
                "–" if kr.confidence is None else f"{kr.confidence}/10 {trend(kr.confidence_trend)}"
            )
            progress_cell = Text.assemble(
                (bar(kr.progress, None if graded else kr.expected_now), STATUS_STYLE[kr.status]),
                f" {pct(kr.progress)}",
            )
            if graded:
                last = Text(grade_text(kr.grade), style=_grade_style(kr.grade))
                for flag in kr.flags:
                    last.append(f" ⚑{_short_flag(flag)}", "magenta")
            else:
                last = Text(kr.status, style=STATUS_STYLE[kr.status])
                if kr.stale:
                    last.append(" (stale)", "dim")
            table.add_row(
                kr.track.id, styled(kr.track.text), styled(journey(kr)), progress_cell, conf, last
            )
        console.print(table)
        for kr in status.key_results:
            synced = synced_from(kr) if kr.track.objective == objective.id else None
            if synced:
                console.print(Text.assemble("  ", styled(synced, "dim")))
    console.print()
    summary = Text.assemble(("Set ", "bold"), f"progress {pct(status.progress)} · ")
    if graded:
        summary.append(f"grade {grade_text(status.grade)}", _grade_style(status.grade))
    else:
        summary.append(status.status, STATUS_STYLE[status.status])
    console.print(summary)
    note = stale_line(status)
    if note and not graded:
        console.print(styled(note, "yellow"))
    if graded and status.flags:
        console.print(
            styled("Flags: " + "; ".join(FLAG_TEXT.get(f, f) for f in status.flags), "magenta")
        )
    if calibration is not None:
        _calibration_text(console, calibration)
    return buffer.getvalue()


def _calibration_text(console: Console, calibration: Calibration) -> None:
    """One row per owner: the verdict, what they said against what came true, the score."""
    from rich.table import Table
    from rich.text import Text

    console.print()
    console.print(styled(CALIBRATION_TITLE, "bold"))
    if not calibration.groups:
        console.print(styled(CALIBRATION_NONE, "dim"))
        return
    table = Table(box=None, show_header=True, header_style="dim", pad_edge=False, expand=False)
    table.add_column("owner", overflow="fold")
    for name in ("verdict", "confidence", "came true", "bias", "Brier", "forecasts"):
        table.add_column(name, no_wrap=True, justify="left" if name == "verdict" else "right")
    for g in calibration.groups:
        table.add_row(
            styled(g.name),
            Text(g.verdict, style=VERDICT_STYLE[g.verdict]),
            f"{g.confidence * 10:.1f}/10",
            f"{g.success:.0%}",
            f"{g.bias:+.2f}",
            f"{g.brier:.2f}",
            f"{g.forecasts} on {counted(g.krs, 'KR')} in {counted(g.cycles, 'cycle')}",
        )
    console.print(table)


def _short_flag(flag: str) -> str:
    return {
        "committed-below-1.0": "committed",
        "never-checked-in": "never",
        "done-or-not-only": "done/not",
    }.get(flag, flag)


def _grade_style(grade: float | None) -> str:
    return {"red": "bold red", "yellow": "bold yellow", "green": "bold green"}.get(
        grade_colour(grade) or "", "grey50"
    )


def counts(status: CycleStatus) -> dict[str, int]:
    counts = dict.fromkeys(STATUS_STYLE, 0)
    for kr in status.key_results:
        counts[kr.status] += 1
    return counts


def team_text(
    statuses: Sequence[CycleStatus], today: date, *, color: bool = False, width: int | None = None
) -> str:
    """Every open cycle in one table: progress against expected, status counts, stale KRs.
    Off a terminal the table is laid out without Rich (hundreds of rows in milliseconds)."""
    if not color:
        return _team_plain(statuses, today)
    from rich.table import Table
    from rich.text import Text

    console, buffer = console_buffer(color, width)
    if not statuses:
        console.print("No open cycles. Launch one with `okr launch DRAFT`.")
        return buffer.getvalue()
    table = Table(title=f"Open cycles as of {today}", header_style="bold", pad_edge=False)
    for name, options in (
        ("draft", {"ratio": 1, "overflow": "fold"}),
        ("cycle", {"no_wrap": True}),
        ("progress", {"no_wrap": True}),
        ("exp", {"no_wrap": True, "justify": "right"}),
        ("on/risk/off/none", {"no_wrap": True}),
        ("stale", {"no_wrap": True, "justify": "right"}),
        ("status", {"no_wrap": True}),
    ):
        table.add_column(name, **options)
    for s in statuses:
        n = counts(s)
        expected_now = s.key_results[0].expected_now if s.key_results else None
        table.add_row(
            styled(s.cycle.draft),
            styled(s.cycle.label),
            Text.assemble(
                (bar(s.progress, expected_now), STATUS_STYLE[s.status]), f" {pct(s.progress)}"
            ),
            pct(expected_now),
            Text.assemble(
                (str(n["on-track"]), "green"),
                "/",
                (str(n["at-risk"]), "yellow"),
                "/",
                (str(n["off-track"]), "red"),
                "/",
                (str(n["no-data"]), "grey50"),
            ),  # fmt: skip
            str(len(s.stale)) if s.stale else "",
            Text(s.status, style=STATUS_STYLE[s.status]),
        )
    console.print(table)
    return buffer.getvalue()


def _team_plain(statuses: Sequence[CycleStatus], today: date) -> str:
    if not statuses:
        return "No open cycles. Launch one with `okr launch DRAFT`.\n"
    header = ("draft", "cycle", "progress", "exp", "on/risk/off/none", "stale", "status")
    rows = [header]
    for s in statuses:
        n = counts(s)
        expected_now = s.key_results[0].expected_now if s.key_results else None
        name = clean(s.cycle.draft)
        rows.append(
            (
                name if len(name) <= 40 else name[:39] + "…",
                clean(s.cycle.label),
                f"{bar(s.progress, expected_now)} {pct(s.progress)}",
                pct(expected_now),
                f"{n['on-track']}/{n['at-risk']}/{n['off-track']}/{n['no-data']}",
                str(len(s.stale)) if s.stale else "",
                s.status,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    right = {3, 5}
    lines = [f"Open cycles as of {today}"]
    for r in rows:
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


# --- entry points -----------------------------------------------------------------------------


def render_status(
    status: CycleStatus,
    fmt: str,
    *,
    color: bool = False,
    width: int | None = None,
    calibration: Calibration | None = None,
) -> str:
    """``calibration``: the draft's owners' (``okr status``), shown in text, Markdown and
    HTML; None (``okr grade``, JSON) shows none."""
    if fmt == "json":
        return json.dumps(status_json(status), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        from assistant.render.status_markdown import status_markdown

        return status_markdown(status, calibration)
    if fmt == "html":
        from assistant.render.status_html import status_html

        return status_html(status, calibration)
    return status_text(status, color=color, width=width, calibration=calibration)


def render_team(
    statuses: Sequence[CycleStatus],
    today: date,
    fmt: str,
    *,
    color: bool = False,
    width: int | None = None,
) -> str:
    if fmt == "json":
        indent = 2 if len(statuses) <= 20 else None
        return json.dumps(team_json(statuses, today), indent=indent, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        from assistant.render.status_markdown import team_markdown

        return team_markdown(statuses, today)
    if fmt == "html":
        from assistant.render.status_html import team_html

        return team_html(statuses, today)
    return team_text(statuses, today, color=color, width=width)
