"""The Cycle screen at 80x24 talks in its own keys: it reads the set's ``cycle:``, asks
before launching a cycle that has ended, shows only the keys that act (check in, sync,
grade, retro, launch) and syncs the KRs that name a source."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import SIZE, notices, screen_text, tui, wait_for
from textual.widgets import DataTable

from assistant.app import App
from assistant.io import read_text
from assistant.services import cycle, drafts
from tui.screens.cycle import CycleScreen
from tui.screens.dialogs import ConfirmDialog
from tui.screens.drafts import DraftsScreen

LONG = (
    "Raise the share of new customers who finish onboarding within their first week "
    "from 32% to 50%, measured in the product analytics dashboard"
)


def quarter(today: date) -> str:
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def plan(label: str | None, source: str = "") -> str:
    head = f"name: Growth team\ncycle: {label}\n" if label else "name: Growth team\n"
    return head + (
        "objectives:\n"
        "  - title: Make onboarding effortless\n"
        "    key_results:\n"
        f"      - text: {LONG}\n{source}"
        "      - Cut time-to-first-dashboard from 3 days to 1 day\n"
    )


def footer(app) -> str:
    return screen_text(app).splitlines()[-1]


async def _cycle(pilot) -> CycleScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
    await wait_for(pilot, lambda: "Cycle" in footer(app), what="the list")
    await pilot.press("c")
    await wait_for(pilot, lambda: isinstance(app.screen, CycleScreen))
    return app.screen


async def test_the_sets_cycle_is_read_and_launching_speaks_in_keys(core: App) -> None:
    label = quarter(core.today())
    drafts.save(core.store, "Growth team", read_text(plan(label), "g.yaml")[0], "v1", author="t")
    async with tui(core) as pilot:
        app = pilot.app
        screen = await _cycle(pilot)
        await wait_for(pilot, lambda: f"cycle {label}" in screen_text(app), what="the set's cycle")
        shown = screen_text(app)
        assert "has no cycle" not in shown and "not launched yet" in shown
        await wait_for(pilot, lambda: "l Launch" in footer(app))
        for off in ("Check in", "Grade", "Retro", "Sync"):
            assert off not in footer(app)
        await pilot.press("g")
        await wait_for(pilot, lambda: any("l launches one" in n for n in notices(app)))
        await pilot.press("l")
        table = screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 2, what="launched")
        said = next(n for n in notices(app) if n.startswith("Launched"))
        assert "okr " not in said and "c checks in" in said  # its own keys, not the CLI's
        await wait_for(pilot, lambda: "c Check in" in footer(app))
        assert "g Grade" in footer(app) and "Launch" not in footer(app)
        assert "Sync" not in footer(app)  # no KR names a source
        await pilot.press("s")
        await wait_for(pilot, lambda: any("names a source" in n for n in notices(app)))

        # The long KR is cut to the width left, with an ellipsis; the pane below has it all.
        assert table.virtual_size.width <= table.size.width, "the table scrolls sideways"
        rows = screen_text(app).splitlines()
        row = next(line for line in rows if line.lstrip().startswith("O1.KR1"))
        assert row.rstrip().endswith("…") and len(row) <= SIZE[0]
        assert "product analytics" in " ".join(rows)


async def test_launching_a_cycle_that_has_ended_asks_first(core: App) -> None:
    drafts.save(core.store, "Growth team", read_text(plan("2024-Q1"), "g.yaml")[0], "v1",
                author="t")  # fmt: skip
    async with tui(core) as pilot:
        app = pilot.app
        await _cycle(pilot)
        await wait_for(pilot, lambda: "ended on 2024-03-31" in screen_text(app), what="warned")
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "2024-Q1 ended on 2024-03-31" in screen_text(app)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, CycleScreen))
    with pytest.raises(Exception, match="no cycle"):
        cycle.status(core.store, "Growth team")


async def test_a_set_without_a_cycle_asks_which(core: App) -> None:
    drafts.save(core.store, "Growth team", read_text(plan(None), "g.yaml")[0], "v1", author="t")
    async with tui(core) as pilot:
        app = pilot.app
        screen = await _cycle(pilot)
        await wait_for(pilot, lambda: "names no cycle" in screen_text(app))
        await pilot.press("l")
        await wait_for(pilot, lambda: "Cycle to launch for" in screen_text(app))
        dialog = app.screen
        dialog.query_one("Input").value = "next spring"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "next spring" in screen_text(app), what="the problem")
        assert app.screen is dialog  # kept, to correct
        dialog.query_one("Input").value = quarter(core.today())
        await pilot.press("enter")
        table = screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 2, what="launched")
    assert cycle.status(core.store, "Growth team").cycle.label == quarter(core.today())


async def test_s_syncs_the_sourced_key_results(
    core: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "activation.csv").write_text("day,activation\n2026-01-05,41\n", encoding="utf-8")
    source = "        source: {csv: activation.csv, column: activation}\n"
    label = quarter(core.today())
    drafts.save(core.store, "Growth team", read_text(plan(label, source), "g.yaml")[0], "v1",
                author="t")  # fmt: skip
    cycle.launch(core.store, "Growth team")
    async with tui(core) as pilot:
        app = pilot.app
        await _cycle(pilot)
        await wait_for(pilot, lambda: "s Sync" in footer(app), what="the sync key")
        await pilot.press("s")
        await wait_for(pilot, lambda: any(n.startswith("Synced") for n in notices(app)))
        said = next(n for n in notices(app) if n.startswith("Synced"))
        assert "1 recorded" in said, said
        await wait_for(pilot, lambda: "41%" in screen_text(app), what="the new value")
    assert cycle.status(core.store, "Growth team").key_results[0].value == 41
