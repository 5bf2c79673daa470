"""The HTML status report from its Jinja2 templates: the axis labels fit the chart, store
text is never template code, and every template is shipped as package data."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from datetime import date
from pathlib import Path

from assistant.domain.cycle import plan_for
from assistant.domain.cycle_status import Checkin, CycleInfo, build_status
from assistant.model import KeyResult, Objective, OKRSet
from assistant.render.status import render_status

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "assistant" / "render" / "templates"


def _html(kr_text: str = "Cut churn from 5% to 3%") -> str:
    okr = OKRSet(
        name="Growth", objectives=[Objective(title="O", key_results=[KeyResult(text=kr_text)])]
    )
    plan = plan_for(okr)
    start = date(2026, 1, 1)
    checkins = [Checkin(plan.tracks[0].id, date(2026, 1, 20), 4.0, 6, note="{% raw %}")]
    info = CycleInfo(1, "Growth", "2026-Q1", start, date(2026, 3, 31), 1, "open")
    return render_status(build_status(info, plan, checkins, date(2026, 2, 1)), "html")


def test_the_100_percent_label_fits_left_of_the_chart() -> None:
    """A 10 px "100%" is about 27 px wide (three digits at 0.6 em, the % at 0.9 em); it is
    anchored at its end, so its x must leave that much room inside the viewBox."""
    chart = re.search(
        r'<svg viewBox="(\S+) \S+ \S+ \S+"[^>]*class="chart progress">.*?</svg>', _html(), re.S
    )
    assert chart is not None
    left = float(chart.group(1))
    label = re.search(r'<text x="([\d.]+)"[^>]*text-anchor="end"[^>]*>100%</text>', chart.group(0))
    assert label is not None
    assert float(label.group(1)) - 27 >= left


def test_store_text_is_shown_not_run_as_template_code() -> None:
    html = _html("Raise NPS {{ 7 * 7 }} {% if true %}x{% endif %}")
    assert "Raise NPS {{ 7 * 7 }} {% if true %}x{% endif %}" in html
    assert "NPS 49" not in html
    assert "Last note (2026-01-20): {% raw %}" in html


def test_every_template_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["assistant.render"]
    templates = sorted(p.relative_to(TEMPLATES.parent).as_posix() for p in TEMPLATES.iterdir())
    assert templates  # status, team, their page and charts
    for name in templates:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name
