"""``okr status --format html``: one self-contained file a team lead can mail or attach.

Inline CSS and SVG only — no script, font, image or stylesheet from the network — so it
opens anywhere, offline. Per KR: progress over time against the expected line (the
straight diagonal from the cycle's first to last day) and confidence per check-in;
per owner, their mean confidence against the share of it that came true (calibration).
The layout is a grid of cards that becomes one column under 700 px (phones); the
SVGs scale with ``viewBox``.

The markup lives in Jinja2 templates shipped in the package (``templates/*.html.j2``);
this module computes what they show. Autoescape is on and every printed text is first
``clean``-ed (no control characters), so text from the store can never become markup.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from assistant.domain.cycle import FLAG_TEXT, grade_colour
from assistant.domain.cycle_status import CycleStatus, KRStatus
from assistant.render.status import (
    CALIBRATION_ABOUT,
    CALIBRATION_NONE,
    CALIBRATION_TITLE,
    calibration_score,
    clean,
    grade_text,
    headline,
    journey,
    pct,
    stale_line,
    trend,
)

if TYPE_CHECKING:
    import jinja2

    from assistant.domain.calibration import Calibration, CalibrationGroup

W, H = 320, 120  # progress chart viewBox
# The left pad fits the "100%" axis label (text-anchor end at PAD_L - 4) without clipping.
PAD_L, PAD_R, PAD_T, PAD_B = 40, 8, 8, 18
CONF_H, CONF_TOP, CONF_BOTTOM = 54, 6, 14  # confidence chart height and pads
COLOURS = {
    "on-track": "#1a7f37",
    "at-risk": "#b7791f",
    "off-track": "#c62828",
    "no-data": "#6e7781",
}
GRADE_COLOURS = {"green": "#1a7f37", "yellow": "#b7791f", "red": "#c62828"}
# Calibration chart: two bars (mean confidence, share that came true) of BAR_W between the
# labels, anchored at their end at CAL_L - 4 ("confidence" at 10 px is ~60 px wide), and
# the values after them, anchored at their start ("9.0/10" is ~36 px wide): nothing clips.
CAL_W, CAL_H, CAL_L, BAR_W = 240, 36, 70, 120
VERDICT_COLOURS = {
    "over-confident": "#c62828",
    "under-confident": "#b7791f",
    "calibrated": "#1a7f37",
    "too few": "#6e7781",
}


@dataclass(frozen=True, slots=True)
class Badge:
    text: str
    colour: str


@dataclass(frozen=True, slots=True)
class Mark:
    """A dot of the progress line or a bar of the confidence chart, with its tooltip."""

    x: float
    y: float
    tip: str
    colour: str = ""
    height: float = 0.0


@dataclass(frozen=True, slots=True)
class ProgressChart:
    id: str
    colour: str
    progress: str
    expected: str
    grid: tuple[tuple[float, str], ...]
    y0: float  # the expected diagonal, from 0% on the first day…
    y1: float  # …to 100% on the last
    today: float | None
    start: date
    end: date
    line: str  # polyline points, from 0% on the first day through every dot
    dots: tuple[Mark, ...]


@dataclass(frozen=True, slots=True)
class ConfidenceChart:
    id: str
    bars: tuple[Mark, ...]


@dataclass(frozen=True, slots=True)
class CalibrationRow:
    """One owner: the verdict, the score in words, and the chart's two bar widths."""

    name: str
    badge: Badge
    score: str
    said: float  # width of the mean-confidence bar
    said_text: str
    came_true: float  # width of the came-true bar
    came_true_text: str


def calibration_row(group: CalibrationGroup) -> CalibrationRow:
    return CalibrationRow(
        name=group.name,
        badge=Badge(group.verdict, VERDICT_COLOURS[group.verdict]),
        score=calibration_score(group),
        said=round(group.confidence * BAR_W, 1),
        said_text=f"{group.confidence * 10:.1f}/10",
        came_true=round(group.success * BAR_W, 1),
        came_true_text=f"{group.success:.0%}",
    )


def _x(on: date, start: date, end: date) -> float:
    span = max(1, (end - start).days + 1)
    share = min(1.0, max(0.0, ((on - start).days + 1) / span))
    return PAD_L + share * (W - PAD_L - PAD_R)


def _y(share: float) -> float:
    return PAD_T + (1 - share) * (H - PAD_T - PAD_B)


def progress_chart(kr: KRStatus, start: date, end: date, as_of: date) -> ProgressChart:
    """Progress (0–100%) per check-in against the expected diagonal; today as a dashed line."""
    points = kr.points
    dots = tuple(
        Mark(
            _x(p.on, start, end),
            _y(p.progress),
            f"{p.on}: {pct(p.progress)} (expected {pct(p.expected)})",
        )
        for p in points
    )
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in [(PAD_L, _y(0)), *((d.x, d.y) for d in dots)])
    return ProgressChart(
        id=kr.track.id,
        colour=COLOURS[kr.status],
        progress=pct(kr.progress),
        expected=pct(kr.expected_now),
        grid=tuple((_y(share), f"{int(share * 100)}%") for share in (0.0, 0.5, 1.0)),
        y0=_y(0),
        y1=_y(1),
        today=_x(as_of, start, end) if start <= as_of <= end else None,
        start=start,
        end=end,
        line=line,
        dots=dots,
    )


def confidence_chart(kr: KRStatus, start: date, end: date) -> ConfidenceChart:
    """Confidence 0–10 at each check-in, as bars coloured like the status thresholds."""
    bars = []
    for p in kr.points:
        if p.confidence is None:
            continue
        c = p.confidence
        colour = "#1a7f37" if c >= 7 else "#c62828" if c <= 3 else "#b7791f"
        height = (CONF_H - CONF_TOP - CONF_BOTTOM) * c / 10
        y = CONF_H - CONF_BOTTOM - height
        bars.append(Mark(_x(p.on, start, end), y, f"{p.on}: confidence {c}/10", colour, height))
    return ConfidenceChart(kr.track.id, tuple(bars))


def _badge(status: str, grade: float | None, graded: bool) -> Badge:
    if graded:
        return Badge(
            f"grade {grade_text(grade)}", GRADE_COLOURS.get(grade_colour(grade) or "", "#6e7781")
        )
    return Badge(status, COLOURS[status])


def _kr_card(kr: KRStatus, status: CycleStatus) -> dict[str, Any]:
    c = status.cycle
    graded = c.state == "graded"
    last = kr.latest
    return {
        "id": kr.track.id,
        "text": kr.track.text,
        "badge": _badge(kr.status, kr.grade, graded),
        "journey": journey(kr),
        "progress": pct(kr.progress),
        "expected": pct(kr.expected_now),
        "confidence": (
            "–" if kr.confidence is None else f"{kr.confidence}/10 {trend(kr.confidence_trend)}"
        ),
        "chart": progress_chart(kr, c.start, c.end, status.as_of),
        "bars": confidence_chart(kr, c.start, c.end),
        "note": last.note if last and last.note else "",
        "note_on": last.on if last else None,
        "stale": kr.stale and not graded,
        "flags": [FLAG_TEXT.get(f, f) for f in kr.flags],
    }


def status_html(status: CycleStatus, calibration: Calibration | None = None) -> str:
    c = status.cycle
    graded = c.state == "graded"
    objectives = [
        {
            "id": objective.id,
            "title": objective.title,
            "progress": pct(objective.progress),
            "status": objective.status,
            "grade": grade_text(objective.grade) if graded else "",
            "flags": [FLAG_TEXT.get(f, f) for f in objective.flags],
            "cards": [
                _kr_card(kr, status)
                for kr in status.key_results
                if kr.track.objective == objective.id
            ],
        }
        for objective in status.objectives
    ]
    return _render(
        "status.html.j2",
        title=f"{c.draft} — {c.label}",
        draft=c.draft,
        label=c.label,
        headline=headline(status),
        progress=pct(status.progress),
        badge=_badge(status.status, status.grade, graded),
        as_of=status.as_of,
        warning=None if graded else stale_line(status),
        objectives=objectives,
        calibration=(
            None
            if calibration is None
            else [calibration_row(group) for group in calibration.groups]
        ),
        calibration_title=CALIBRATION_TITLE,
        calibration_about=CALIBRATION_ABOUT,
        calibration_none=CALIBRATION_NONE,
    )


def team_html(statuses: Sequence[CycleStatus], today: date) -> str:
    rows = []
    for s in statuses:
        expected_now = s.key_results[0].expected_now if s.key_results else None
        rows.append(
            {
                "draft": s.cycle.draft,
                "label": s.cycle.label,
                "width": round((s.progress or 0) * 100),
                "expected_x": round((expected_now or 0) * 100),
                "progress": pct(s.progress),
                "expected": pct(expected_now),
                "badge": Badge(s.status, COLOURS[s.status]),
                "stale": len(s.stale),
            }
        )
    return _render("team.html.j2", title=f"Open cycles as of {today}", rows=rows)


def _render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context) + "\n"


@functools.cache
def _environment() -> jinja2.Environment:
    """The templates shipped in this package; imported on the first HTML report only."""
    import jinja2
    from markupsafe import Markup

    def finalize(value: Any) -> Any:  # every printed text: no control characters
        return clean(value) if isinstance(value, str) and not isinstance(value, Markup) else value

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("assistant.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        finalize=finalize,
    )
    env.globals.update(
        W=W, H=H, L=PAD_L, R=PAD_R, T=PAD_T, B=PAD_B, CH=CONF_H, CT=CONF_TOP, CB=CONF_BOTTOM,
        CW=CAL_W, CAH=CAL_H, CL=CAL_L, BW=BAR_W,
    )  # fmt: skip
    return env
