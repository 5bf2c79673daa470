"""``okr status --format html``: one self-contained file a team lead can mail or attach.

Inline CSS and SVG only — no script, font, image or stylesheet from the network — so it
opens anywhere, offline. Per KR: progress over time against the expected line (the
straight diagonal from the cycle's first to last day) and confidence per check-in.
The layout is a grid of cards that becomes one column under 700 px (phones); the
SVGs scale with ``viewBox``. Every text from the store goes through ``html.escape``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from assistant.domain.cycle import FLAG_TEXT, grade_colour
from assistant.domain.cycle_status import CycleStatus, KRStatus
from assistant.render.status import clean, grade_text, headline, journey, pct, stale_line, trend

W, H = 320, 120  # chart viewBox
PAD_L, PAD_R, PAD_T, PAD_B = 30, 8, 8, 18
COLOURS = {
    "on-track": "#1a7f37",
    "at-risk": "#b7791f",
    "off-track": "#c62828",
    "no-data": "#6e7781",
}
GRADE_COLOURS = {"green": "#1a7f37", "yellow": "#b7791f", "red": "#c62828"}

_CSS = """
:root{--fg:#1f2328;--muted:#59636e;--line:#d0d7de;--bg:#fff;--card:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;padding:16px;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--fg);background:var(--bg)}
main{max-width:1240px;margin:0 auto}
h1{font-size:1.5rem;margin:0 0 4px}h2{font-size:1.15rem;margin:24px 0 8px}
.meta{color:var(--muted);margin:0 0 12px}
.pill{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:.8rem;
font-weight:600;white-space:nowrap}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(360px,100%),1fr));gap:12px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px;
min-width:0}
.card h3{font-size:.95rem;margin:0 0 6px;overflow-wrap:anywhere}
.kv{display:flex;flex-wrap:wrap;gap:4px 14px;color:var(--muted);font-size:.85rem;margin:4px 0}
.kv b{color:var(--fg)}
svg{width:100%;height:auto;display:block}
.note{font-size:.8rem;color:var(--muted);margin:6px 0 0;overflow-wrap:anywhere}
.warn{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:8px 10px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;
border-bottom:1px solid var(--line);vertical-align:top}
.scroll{overflow-x:auto}
@media (max-width:700px){body{padding:10px;font-size:14px}.grid{grid-template-columns:1fr}
h1{font-size:1.25rem}}
@media print{.card{break-inside:avoid}}
"""


def _e(text: str | None) -> str:
    return escape(clean(text), quote=True)


def _pill(text: str, colour: str) -> str:
    return f'<span class="pill" style="background:{colour}">{_e(text)}</span>'


def _x(on: date, start: date, end: date) -> float:
    span = max(1, (end - start).days + 1)
    share = min(1.0, max(0.0, ((on - start).days + 1) / span))
    return PAD_L + share * (W - PAD_L - PAD_R)


def _y(share: float) -> float:
    return PAD_T + (1 - share) * (H - PAD_T - PAD_B)


def progress_chart(kr: KRStatus, start: date, end: date, as_of: date) -> str:
    """Progress (0–100%) per check-in against the expected diagonal; today as a dashed line."""
    colour = COLOURS[kr.status]
    parts = [
        f'<svg viewBox="0 0 {W} {H}" role="img" aria-label="progress of {_e(kr.track.id)} '
        f'over time against expected" class="chart progress">',
        f"<title>{_e(kr.track.id)}: progress {pct(kr.progress)}, expected {pct(kr.expected_now)}</title>",
    ]
    for share in (0.0, 0.5, 1.0):
        y = _y(share)
        parts.append(
            f'<line x1="{PAD_L}" y1="{y:.1f}" x2="{W - PAD_R}" y2="{y:.1f}" stroke="#d0d7de" stroke-width="1"/>'
            f'<text x="{PAD_L - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end" fill="#59636e">{int(share * 100)}%</text>'
        )
    parts.append(
        f'<line class="expected" x1="{PAD_L}" '
        f'y1="{_y(0):.1f}" x2="{W - PAD_R}" y2="{_y(1):.1f}" stroke="#8c959f" '
        'stroke-width="1.5" stroke-dasharray="4 3"/>'
    )
    if start <= as_of <= end:
        x = _x(as_of, start, end)
        parts.append(
            f'<line x1="{x:.1f}" y1="{PAD_T}" x2="{x:.1f}" y2="{H - PAD_B}" stroke="#0969da" '
            'stroke-width="1" stroke-dasharray="2 2"/>'
        )
    parts.append(
        f'<text x="{PAD_L}" y="{H - 4}" font-size="10" fill="#59636e">{start}</text>'
        f'<text x="{W - PAD_R}" y="{H - 4}" font-size="10" text-anchor="end" fill="#59636e">{end}</text>'
    )
    points = kr.points
    if points:
        coords = [(_x(p.on, start, end), _y(p.progress)) for p in points]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in [(PAD_L, _y(0)), *coords])
        parts.append(
            f'<polyline class="actual" points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
        )
        for (x, y), p in zip(coords, points, strict=True):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
                f"<title>{p.on}: {pct(p.progress)} (expected {pct(p.expected)})</title></circle>"
            )
    else:
        parts.append(
            f'<text x="{(W + PAD_L) / 2:.0f}" y="{H / 2:.0f}" font-size="12" text-anchor="middle" '
            'fill="#59636e">no check-ins yet</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def confidence_chart(kr: KRStatus, start: date, end: date) -> str:
    """Confidence 0–10 at each check-in, as bars coloured like the status thresholds."""
    h = 54
    top, bottom = 6, 14
    parts = [
        f'<svg viewBox="0 0 {W} {h}" role="img" aria-label="confidence of {_e(kr.track.id)}" '
        'class="chart confidence">',
        f"<title>{_e(kr.track.id)}: confidence per check-in (0–10)</title>",
        f'<line x1="{PAD_L}" y1="{h - bottom}" x2="{W - PAD_R}" y2="{h - bottom}" stroke="#d0d7de"/>',
        f'<text x="{PAD_L - 4}" y="{top + 6}" font-size="10" text-anchor="end" fill="#59636e">10</text>'
        f'<text x="{PAD_L - 4}" y="{h - bottom}" font-size="10" text-anchor="end" fill="#59636e">0</text>',
    ]
    known = [p for p in kr.points if p.confidence is not None]
    for p in known:
        c = p.confidence or 0
        x = _x(p.on, start, end)
        bar_h = (h - top - bottom) * c / 10
        colour = "#1a7f37" if c >= 7 else "#c62828" if c <= 3 else "#b7791f"
        parts.append(
            f'<rect x="{x - 3:.1f}" y="{h - bottom - bar_h:.1f}" width="6" height="{bar_h:.1f}" '
            f'fill="{colour}"><title>{p.on}: confidence {c}/10</title></rect>'
        )
    if not known:
        parts.append(
            f'<text x="{(W + PAD_L) / 2:.0f}" y="{h / 2 + 2:.0f}" font-size="11" '
            'text-anchor="middle" fill="#59636e">no confidence given</text>'
        )
    parts.append(
        f'<text x="{PAD_L}" y="{h - 2}" font-size="10" fill="#59636e">confidence 0–10</text></svg>'
    )
    return "".join(parts)


def _kr_card(kr: KRStatus, status: CycleStatus) -> str:
    c = status.cycle
    graded = c.state == "graded"
    badge = (
        _pill(
            f"grade {grade_text(kr.grade)}",
            GRADE_COLOURS.get(grade_colour(kr.grade) or "", "#6e7781"),
        )
        if graded
        else _pill(kr.status, COLOURS[kr.status])
    )
    conf = "–" if kr.confidence is None else f"{kr.confidence}/10 {trend(kr.confidence_trend)}"
    last = kr.latest
    flags = "".join(f'<p class="note">⚑ {_e(FLAG_TEXT.get(f, f))}</p>' for f in kr.flags)
    stale = '<p class="note warn">Not updated for 14+ days</p>' if kr.stale and not graded else ""
    note = (
        f'<p class="note">Last note ({last.on}): {_e(last.note)}</p>' if last and last.note else ""
    )
    return (
        f'<section class="card" id="{_e(kr.track.id)}"><h3>{_e(kr.track.id)} · {_e(kr.track.text)}</h3>'
        f'<div class="kv"><span>{badge}</span><span><b>{_e(journey(kr))}</b></span>'
        f"<span>progress <b>{pct(kr.progress)}</b></span>"
        f"<span>expected <b>{pct(kr.expected_now)}</b></span><span>confidence <b>{_e(conf)}</b></span></div>"
        f"{progress_chart(kr, c.start, c.end, status.as_of)}{confidence_chart(kr, c.start, c.end)}"
        f"{note}{stale}{flags}</section>"
    )


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def status_html(status: CycleStatus) -> str:
    c = status.cycle
    graded = c.state == "graded"
    total = (
        _pill(
            f"grade {grade_text(status.grade)}",
            GRADE_COLOURS.get(grade_colour(status.grade) or "", "#6e7781"),
        )
        if graded
        else _pill(status.status, COLOURS[status.status])
    )
    body = [
        f"<h1>{_e(c.draft)} — {_e(c.label)}</h1>",
        f'<p class="meta">{_e(headline(status))}</p>',
        f'<p class="meta">Set progress <b>{pct(status.progress)}</b> {total} · as of {status.as_of}</p>',
    ]
    note = stale_line(status)
    if note and not graded:
        body.append(f'<p class="warn">{_e(note)}</p>')
    for objective in status.objectives:
        extra = f" · grade {grade_text(objective.grade)}" if graded else ""
        flags = "".join(f" · ⚑ {_e(FLAG_TEXT.get(f, f))}" for f in objective.flags)
        body.append(
            f"<h2>{_e(objective.id)} · {_e(objective.title)}</h2>"
            f'<p class="meta">progress {pct(objective.progress)} · {_e(objective.status)}{extra}{flags}</p>'
            '<div class="grid">'
            + "".join(
                _kr_card(kr, status)
                for kr in status.key_results
                if kr.track.objective == objective.id
            )
            + "</div>"
        )
    body.append(
        '<p class="meta">Progress = (value − baseline) / (target − baseline), 0–100%. '
        "The dashed diagonal is the expected progress (the share of the cycle elapsed); "
        "the blue dashed line is today. Made by okr-coach.</p>"
    )
    return _page(f"{c.draft} — {c.label}", "".join(body))


def team_html(statuses: Sequence[CycleStatus], today: date) -> str:
    rows = []
    for s in statuses:
        expected_now = s.key_results[0].expected_now if s.key_results else None
        width = round((s.progress or 0) * 100)
        rows.append(
            f"<tr><td>{_e(s.cycle.draft)}</td><td>{_e(s.cycle.label)}</td>"
            f'<td><svg viewBox="0 0 100 10" width="120" height="12" aria-label="progress">'
            f'<rect width="100" height="10" fill="#d0d7de"/><rect width="{width}" height="10" '
            f'fill="{COLOURS[s.status]}"/><line x1="{round((expected_now or 0) * 100)}" y1="0" '
            f'x2="{round((expected_now or 0) * 100)}" y2="10" stroke="#1f2328" stroke-width="1.5"/></svg>'
            f" {pct(s.progress)}</td><td>{pct(expected_now)}</td>"
            f"<td>{_pill(s.status, COLOURS[s.status])}</td><td>{len(s.stale) or ''}</td></tr>"
        )
    table = (
        '<div class="scroll"><table><thead><tr><th>draft</th><th>cycle</th><th>progress</th>'
        "<th>expected</th><th>status</th><th>stale KRs</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></div>"
        if rows
        else "<p>No open cycles.</p>"
    )
    return _page(f"Open cycles as of {today}", f"<h1>Open cycles as of {today}</h1>{table}")
