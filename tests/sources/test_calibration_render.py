"""The owners' calibration as ``okr status`` shows it (pure renderers): the HTML chart's
labels fit, owner names from the store stay text, and calibration lessons coach the
owner's KRs of the next draft."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

from assistant.domain.calibration import (
    OVERCONFIDENT,
    UNDERCONFIDENT,
    Calibration,
    Forecast,
    calibrate,
)
from assistant.domain.cycle import plan_for
from assistant.domain.cycle_status import Checkin, CycleInfo, CycleStatus, build_status
from assistant.domain.lessons import Lesson, lesson_findings
from assistant.io.readers import parse
from assistant.model import KeyResult, Objective, OKRSet
from assistant.render.status import render_status

LONG = "Maximiliane Alexandra von Hohenzollern-Sigmaringen <b>{{ 7 * 7 }}</b>\x1b[31m"


class _Balance(HTMLParser):
    """Every opened tag closed in order (void and self-closed SVG shapes aside)."""

    VOID = {"meta", "br"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # <rect …/>: opened and closed

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(tag)


def _status() -> CycleStatus:
    okr = OKRSet(
        name="Growth",
        objectives=[Objective(title="O", key_results=[KeyResult(text="Cut churn from 5% to 3%")])],
    )
    plan = plan_for(okr)
    info = CycleInfo(1, "Growth", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31), 1, "open")
    checkins = [Checkin(plan.tracks[0].id, date(2026, 1, 20), 4.0, 6)]
    return build_status(info, plan, checkins, date(2026, 2, 1))


def _calibration() -> Calibration:
    """An owner who doubted KRs that all succeeded (under-confident), one who was right
    at 10/10 (calibrated, 100% bars), and one with two forecasts (too few)."""

    def forecasts(owner: str, confidence: int, outcome: int, n: int) -> list[Forecast]:
        return [
            Forecast("Growth", "2025-Q4", 7, f"O1.KR{i + 1}", owner, confidence / 10, outcome)
            for i in range(n)
        ]

    return calibrate(
        [*forecasts(LONG, 2, 1, 6), *forecasts("Li", 10, 1, 5), *forecasts("Bo", 5, 0, 2)]
    )


def test_the_html_chart_labels_fit_and_names_stay_outside_it() -> None:
    html = render_status(_status(), "html", calibration=_calibration())
    balance = _Balance()
    balance.feed(html)
    assert balance.problems == [] and balance.stack == []
    charts = re.findall(r'<svg viewBox="0 0 (\S+) (\S+)"[^>]*class="chart calibration">.*?</svg>',
                        html, re.S)  # fmt: skip
    svgs = re.findall(r'<svg[^>]*class="chart calibration">.*?</svg>', html, re.S)
    assert len(svgs) == 3
    for (width, _height), svg in zip(charts, svgs, strict=True):
        for x, anchor, label in re.findall(
            r'<text x="([\d.]+)"[^>]*font-size="10" text-anchor="(\w+)"[^>]*>([^<]*)</text>', svg
        ):
            extent = 6 * len(label)  # 10 px text: at most 0.6 em a character
            if anchor == "end":
                assert float(x) - extent >= 0, label
            else:
                assert float(x) + extent <= float(width), label
        assert "Hohenzollern" not in svg  # names are HTML text, which wraps, never SVG
    # Li said 10/10 and everything came true: both bars full, "100%" still inside
    assert svgs[1].count('width="120.0"') == 2 and ">100%</text>" in svgs[1]
    # the hostile name is text: escaped, no control character, no template code run
    assert "&lt;b&gt;{{ 7 * 7 }}&lt;/b&gt;" in html and "<b>{{" not in html
    assert "\x1b" not in html and "49" not in html.split("Calibration of the owners")[1]
    assert '<span class="pill" style="background:#b7791f">under-confident</span>' in html
    assert '<span class="pill" style="background:#6e7781">too few</span>' in html


def test_text_and_markdown_show_every_owner_and_escape_names() -> None:
    calibration = _calibration()
    text = render_status(_status(), "text", calibration=calibration, width=200)
    rows = [
        " ".join(row.split()) for row in text.split("Calibration of the owners\n")[1].splitlines()
    ]
    assert rows[:3] == [
        "owner verdict confidence came true bias Brier forecasts",
        "Bo too few 5.0/10 0% +0.50 0.25 2 on 2 KRs in 1 cycle",
        "Li calibrated 10.0/10 100% +0.00 0.00 5 on 5 KRs in 1 cycle",
    ]
    assert rows[3].startswith("Maximiliane Alexandra von Hohenzollern-Sigmaringen <b>{{ 7 * 7 }}")
    assert rows[3].endswith("under-confident 2.0/10 100% -0.80 0.64 6 on 6 KRs in 1 cycle")
    assert "\x1b" not in text and "7 * 7" in text
    markdown = render_status(_status(), "markdown", calibration=calibration)
    assert "| Li | calibrated | 10.0/10 | 100% | bias +0.00 · Brier 0.00 · 5 forecasts" in markdown
    assert "\\<b\\>" in markdown and "<b>" not in markdown
    assert "Calibration" not in render_status(_status(), "text")  # okr grade shows none


def test_calibration_lessons_coach_the_owners_krs_of_the_next_draft() -> None:
    nxt = parse(
        "name: Growth\nowner: Dana\nobjectives:\n"
        "  - title: Win the mid-market\n    owner: Li\n    key_results:\n"
        "      - Raise trial-to-paid conversion from 4% to 6%\n"
        "      - text: Cut churn from 5% to 3%\n        owner: Ana\n"
        "  - title: Keep the lights on\n    key_results:\n"
        "      - Raise uptime from 99.0% to 99.9%\n",
        "next.yaml",
        "yaml",
    )[0]
    under = Lesson(UNDERCONFIDENT, "In 2025-Q4 Li's confidence was under-confident …",
                   ("O1.KR1",), ("Grow NPS from 30 to 45",), label="2025-Q4", owner="Li")  # fmt: skip
    over = Lesson(OVERCONFIDENT, "In 2025-Q4 the confidence on unowned KRs …",
                  ("O2.KR1",), ("Raise service uptime from 98.0% to 99.0% each month",),
                  label="2025-Q4")  # fmt: skip
    found = {(f.code, f.target): f for f in lesson_findings(nxt, [under, over])}
    # Li owns O1.KR1 through the objective; Ana's KR in the same objective is not Li's.
    # A lesson stored without an owner (an older retro) falls back to KRs like last cycle's.
    assert sorted(found) == [(OVERCONFIDENT, "O2.KR1"), (UNDERCONFIDENT, "O1.KR1")]
    finding = found[(UNDERCONFIDENT, "O1.KR1")]
    assert finding.source == "lessons" and finding.dimension == "structure"
    assert finding.evidence == "Raise trial-to-paid conversion from 4% to 6%"
    assert finding.question == "What evidence would let you say this is on track?"
    assert Lesson.from_json(under.as_json()) == under
