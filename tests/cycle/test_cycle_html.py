"""The HTML status report: valid, self-contained (no URL anywhere), charts per KR, small,
and hostile text from the store escaped in every format."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from html.parser import HTMLParser

from assistant.domain.cycle import plan_for
from assistant.domain.cycle_status import Checkin, CycleInfo, CycleStatus, build_status
from assistant.model import KeyResult, Objective, OKRSet
from assistant.render.status import render_status, render_team

VOID = {"meta", "br", "img", "input", "link", "hr", "col", "area", "base", "source", "wbr"}
SVG_LEAVES = {"line", "circle", "rect", "polyline", "path"}

HOSTILE = "Raise [bold red]NPS[/] <script>alert(1)</script> \x1b[31mfrom 20 to 45"


class _Checker(HTMLParser):
    """Tags balanced, no script, no external reference, charts counted."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.svgs: list[str] = []
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.problems.append("script tag")
        for name, value in attrs:
            if name in ("href", "src") or (value and re.search(r"https?:|//", value)):
                self.problems.append(f"external reference {name}={value}")
        if tag == "svg":
            self.svgs.append(dict(attrs).get("class") or "")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in SVG_LEAVES and tag not in VOID:
            self.problems.append(f"self-closed {tag}")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unbalanced </{tag}> (open: {self.stack[-3:]})")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _status(checkins_per_kr: int = 6) -> CycleStatus:
    okr_set = OKRSet(
        name="Growth",
        objectives=[
            Objective(
                title="Delight customers",
                key_results=[
                    KeyResult(text=HOSTILE),
                    KeyResult(text="Cut churn from 5% to 3%"),
                    KeyResult(text="Publish the status page"),
                ],
            ),
            Objective(title="Grow", key_results=[KeyResult(text="Grow ARR from $800k to $1.2M")]),
        ],
    )
    plan = plan_for(okr_set)
    start = date(2026, 1, 1)
    checkins = []
    n = 0
    for track in plan.tracks[:3]:
        for i in range(checkins_per_kr):
            n += 1
            value = (
                0.5
                if track.mode == "fraction"
                else (track.baseline or 0)
                + (((track.target or 0) - (track.baseline or 0)) * (i + 1) / (checkins_per_kr + 2))
            )
            checkins.append(Checkin(track.id, start + timedelta(days=7 * i + 3), value,
                                    min(10, 4 + i), note="<b>note</b> & more", id=n))  # fmt: skip
    info = CycleInfo(1, "Growth <team>", "2026-Q1", start, date(2026, 3, 31), 2, "open")
    return build_status(info, plan, checkins, date(2026, 2, 20))


def test_html_is_valid_self_contained_and_has_charts() -> None:
    html = render_status(_status(), "html")
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert checker.problems == []
    assert checker.stack == ["html"] or checker.stack == []
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"https?://", html)  # no network resource, not even a link
    assert '<meta name="viewport"' in html and "@media (max-width:700px)" in html
    assert checker.svgs.count("chart progress") == 4 and checker.svgs.count("chart confidence") == 4
    assert 'class="expected"' in html and 'class="actual"' in html
    assert "<script>" not in html and "&lt;script&gt;" in html and "\x1b" not in html
    assert "Growth &lt;team&gt;" in html
    assert len(html.encode()) < 300_000


def test_a_busy_cycle_stays_well_under_300_kb() -> None:
    html = render_status(_status(checkins_per_kr=60), "html")
    assert len(html.encode()) < 300_000


def test_text_and_markdown_never_interpret_markup_or_control_characters() -> None:
    status = _status()
    text = render_status(status, "text", color=True, width=120)
    assert "[bold red]NPS[/]" in text.replace("\n", " ").replace("  ", " ") or "[bold" in text
    assert "\x1b[31mfrom" not in text  # the hostile escape is gone; Rich's own remain
    markdown = render_status(status, "markdown")
    assert "<script>" not in markdown and "\\<script\\>" in markdown
    data = json.loads(render_status(status, "json"))
    assert data["key_results"][0]["text"] == HOSTILE  # JSON keeps the data as stored


def test_team_report_in_every_format() -> None:
    statuses = [_status(), _status(2)]
    today = date(2026, 2, 20)
    assert "Open cycles as of 2026-02-20" in render_team(statuses, today, "text")
    assert render_team(statuses, today, "markdown").count("| Growth \\<team\\> |") == 2
    assert len(json.loads(render_team(statuses, today, "json"))["drafts"]) == 2
    checker = _Checker()
    checker.feed(render_team(statuses, today, "html"))
    assert checker.problems == []
    assert "No open cycles" in render_team([], today, "text")
