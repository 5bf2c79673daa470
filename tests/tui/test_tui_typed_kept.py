"""Issue 15 items 1 and 9: nothing typed is lost. Comments and layout survive import,
save, accept and reopen; a comment-only edit is an unsaved change. At 80x24, through
the real keymap (only the cursor is placed directly)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from click.testing import CliRunner
from conftest import notices, screen_text, tui, type_text, wait_for
from textual.widgets import ListView

from assistant.app import App
from assistant.cli import main
from assistant.services import drafts
from tui.screens.dialogs import PromptDialog, RewriteDialog, UnsavedDialog
from tui.screens.drafts import DraftsScreen
from tui.screens.editor import EditorScreen
from tui.widgets.critique_panel import CritiquePanel, FindingItem

DRAFT = """# Customer Success, Q1 draft. Comments are ours: keep them.
name: Customer Success
owner: Sam Okafor
objectives:
  - title: Increase revenue by 20%   # finance wants this one
    key_results:
      - Launch the new onboarding flow
      # ask Priya for the CSAT baseline
      - Significantly improve customer satisfaction
      - Grow MRR to $80k and NPS to 45

  - title: Maintain our support quality
    key_results:
      - Reach 50% of tickets solved on first contact
"""
LONG_KR = (
    "Raise the share of new accounts that finish onboarding within their first seven "
    "days from 35% to 60% by 30 Jun 2026"
)


async def _import(core: App, tmp_path: Path, text: str = DRAFT) -> str:
    """``okr tui FILE``: the file is imported (its text kept) and opened."""
    path = tmp_path / "cs.yaml"
    path.write_text(text)
    name = await core.open_target(str(path))
    assert name == "Customer Success"
    return name


async def _editor(pilot, app) -> EditorScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen), what="the editor")
    editor = app.screen
    await wait_for(pilot, lambda: editor.query_one(CritiquePanel).findings, what="findings")
    return editor


def _row(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n")) if needle in line)


async def _show(home: Path, ref: str) -> str:
    """``okr show REF`` (the CLI runs its use case with ``asyncio.run``: off this loop)."""
    result = await asyncio.to_thread(
        CliRunner().invoke, main, ["show", ref], env={"OKR_HOME": str(home)}
    )
    assert result.exit_code == 0, result.output
    return result.stdout.split("\n", 1)[1]  # after the header comment line


async def _type_at_end_of(pilot, editor: EditorScreen, needle: str, typed: str) -> None:
    text = editor.editor.text
    row = _row(text, needle)
    editor.editor.move_cursor((row, len(text.split("\n")[row])))
    await type_text(pilot, typed)


async def _save(pilot, app, editor: EditorScreen, version: int) -> None:
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog), what="message dialog")
    await pilot.press("enter")
    await wait_for(pilot, lambda: editor.version == version, what=f"v{version}")


async def test_a_comment_only_edit_is_unsaved_and_esc_asks(core: App, tmp_path: Path) -> None:
    name = await _import(core, tmp_path)
    async with tui(core, target=name) as pilot:
        app = pilot.app
        editor = await _editor(pilot, app)
        assert editor.editor.text == DRAFT  # the comments and the blank line are there
        assert not editor.dirty
        await _type_at_end_of(pilot, editor, "ask Priya", " (due Friday)")
        await wait_for(pilot, lambda: editor.dirty and "●" in str(editor.sub_title), what="dirty")
        await wait_for(pilot, lambda: "unsaved" in screen_text(app), what="unsaved status")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedDialog), what="the question")
        await pilot.press("escape")  # cancel: the edit is still there
        await wait_for(pilot, lambda: app.screen is editor)
        assert "# ask Priya for the CSAT baseline (due Friday)" in editor.editor.text
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedDialog))
        await pilot.press("d")  # discard: nothing saved
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
    assert [v.number for v in drafts.history(core.store, name)] == [1]
    assert drafts.get_version(core.store, name).text == DRAFT


async def test_a_comment_only_edit_survives_save_and_reopen(
    core: App, home: Path, tmp_path: Path
) -> None:
    name = await _import(core, tmp_path)
    async with tui(core, target=name) as pilot:
        app = pilot.app
        editor = await _editor(pilot, app)
        await _type_at_end_of(pilot, editor, "finance wants", ", and so do we")
        await wait_for(pilot, lambda: editor.dirty)
        typed = editor.editor.text
        cursor = editor.editor.cursor_location
        await _save(pilot, app, editor, 2)
        assert not any("nothing to save" in n for n in notices(app))
        assert editor.editor.text == typed and editor.editor.cursor_location == cursor
        assert not editor.dirty
        head = drafts.get_version(core.store, name)
        assert head.text == typed and head.message == "Edit"
        assert head.okr_set.content() == drafts.get_version(core.store, name, 1).okr_set.content()
        # Saving again right away: nothing to save.
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any("nothing to save" in n for n in notices(app)))
        await pilot.press("escape")  # nothing unsaved: leaves without asking
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("o")
        editor = await _editor(pilot, app)
        assert editor.editor.text == typed and not editor.dirty
    assert "# finance wants this one, and so do we" in await _show(home, name)


async def test_a_long_kr_is_not_refolded_after_save(core: App, tmp_path: Path) -> None:
    name = await _import(core, tmp_path)
    async with tui(core, target=name) as pilot:
        app = pilot.app
        editor = await _editor(pilot, app)
        row = _row(editor.editor.text, "Launch the new onboarding flow")
        editor.editor.move_cursor((row, 0))
        editor.editor.move_cursor((row, len(editor.editor.text.split("\n")[row])), select=True)
        await type_text(pilot, f"      - {LONG_KR}")
        await wait_for(
            pilot,
            lambda: (
                editor.hints.okr_set is not None
                and editor.hints.okr_set.objectives[0].key_results[0].text == LONG_KR
            ),
            what="the long KR parsed",
        )
        await _save(pilot, app, editor, 2)
        assert f"      - {LONG_KR}\n" in editor.editor.text  # one line, as typed
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("o")
        editor = await _editor(pilot, app)
        assert f"      - {LONG_KR}\n" in editor.editor.text


async def test_typed_text_survives_save_accept_and_reopen(
    core: App, home: Path, tmp_path: Path
) -> None:
    """The main flow: open a draft with comments, type, save, accept a finding (filling
    in its blank), reopen; every typed character and comment is still there."""
    name = await _import(core, tmp_path)
    async with tui(core, target=name) as pilot:
        app = pilot.app
        editor = await _editor(pilot, app)
        assert editor.editor.text == DRAFT

        # Type: a comment of our own, and a change to a key result.
        await _type_at_end_of(pilot, editor, "Comments are ours", " Typed here: ok!")
        await _type_at_end_of(pilot, editor, "Grow MRR to $80k", " by 30 Sep 2026")
        await wait_for(pilot, lambda: editor.dirty, what="dirty")
        typed = editor.editor.text
        expected = DRAFT.replace("keep them.", "keep them. Typed here: ok!").replace(
            "NPS to 45", "NPS to 45 by 30 Sep 2026"
        )
        assert typed == expected
        cursor = editor.editor.cursor_location
        await _save(pilot, app, editor, 2)
        assert editor.editor.text == expected and editor.editor.cursor_location == cursor
        assert not editor.dirty

        # Accept the deadline suggestion for KR2 from the findings pane: it has a blank,
        # the dialog selects it, and what we type fills it in.
        await pilot.press("f2")
        panel = editor.query_one(CritiquePanel)
        listing = panel.query_one(ListView)
        await wait_for(pilot, lambda: listing.has_focus, what="the findings pane")
        await wait_for(
            pilot,
            lambda: any(
                isinstance(c, FindingItem)
                and (c.finding.code, c.finding.target) == ("KR-NO-DEADLINE", "O1.KR2")
                for c in listing.children
            ),
            what="the KR2 deadline finding",
        )
        for _ in range(len(listing.children)):
            selected = panel.selected
            if selected is not None and (selected.finding.code, selected.finding.target) == (
                "KR-NO-DEADLINE",
                "O1.KR2",
            ):
                break
            await pilot.press("down")
        assert panel.selected is not None and panel.selected.finding.target == "O1.KR2"
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, RewriteDialog), what="fill in")
        await pilot.press(*"30 Jun 2026", "enter")
        await wait_for(pilot, lambda: editor.version == 3, what="v3")
        accepted = expected.replace(
            "- Significantly improve customer satisfaction\n",
            "- Significantly improve customer satisfaction by 30 Jun 2026\n",
        )
        assert drafts.get_version(core.store, name).source == "accept:rules"
        assert editor.editor.text == accepted  # only the KR's wording changed in place
        assert not editor.dirty

        # Reopen: the same text, every comment and typed character in place.
        await pilot.press("f2", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen), what="the list")
        await pilot.press("o")
        editor = await _editor(pilot, app)
        assert editor.editor.text == accepted
    for piece in (
        "# Customer Success, Q1 draft. Comments are ours: keep them. Typed here: ok!",
        "# finance wants this one",
        "# ask Priya for the CSAT baseline",
        "NPS to 45 by 30 Sep 2026",
        "customer satisfaction by 30 Jun 2026",
    ):
        assert piece in accepted
    assert await _show(home, name) == accepted
    assert drafts.doctor(core.store).ok
