"""Two editor actions that are about drafting, not critique (part of ``EditorScreen``):

- an unsaved new draft ("New draft → from an idea / guided" land here): the first save
  asks for a name and stores v1 with the coach that wrote it (``draft:llm`` /
  ``draft:interview``);
- alternative wordings of the key result under the cursor (f4): three from the LLM in
  a worker Esc cancels, or offline the rules' own rewrites, each re-scored, best first;
  the chosen one goes into the text (unsaved).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList
from textual.widgets.option_list import Option
from textual.worker import Worker

from assistant.domain.drafting import DraftOutcome, Improvement, rank_rewrites
from assistant.errors import OKRError, one_line
from assistant.ids import TargetId
from assistant.io import write_sets
from assistant.model import OKRSet
from assistant.rubric.critic import critique_set
from tui.hints import compute_hints
from tui.safe import SafeStatic as Static
from tui.safe import literal
from tui.screen_text import delta_text
from tui.screens.dialogs import Dialog, PromptDialog
from tui.screens.editor_keys import EditorKeys

if TYPE_CHECKING:
    from assistant.app import App as Core
    from tui.hints import Hints


async def free_name(core: Core, suggested: str) -> tuple[str, Callable[[str], str | None]]:
    """A name no draft (deleted ones too) has yet, and the check for the name typed."""
    taken = {d.name for d in await core.drafts()}
    taken |= {d.name for d in await core.drafts(deleted=True)}
    name, n = suggested, 2
    while name in taken:
        name, n = f"{suggested} ({n})", n + 1

    def check(value: str) -> str | None:
        if value in taken:
            return f"a draft named '{value}' exists already"
        try:
            core.check_draft_name(value)
        except OKRError as exc:
            return str(exc)
        return None

    return name, check


def with_text(text: str, okr_set: OKRSet, target: str, new: str, row: int | None) -> str:
    """``text`` with the KR's wording replaced: in place on its line when that stays
    valid YAML meaning the same, else the whole set written again."""
    old = okr_set.target_text(target)
    lines = text.split("\n")
    for r in range(row or 0, min((row or 0) + 3, len(lines))) if row is not None else ():
        if old and old in lines[r]:
            candidate = "\n".join([*lines[:r], lines[r].replace(old, new, 1), *lines[r + 1 :]])
            parsed = compute_hints(candidate).okr_set
            if parsed is not None and parsed.target_text(target) == new:
                return candidate
            break
    return write_sets([okr_set.with_text(target, new)], "yaml")


class AlternativesDialog(Dialog[str | None]):
    """The alternatives for one KR, best first, each with its change of the overall
    score; Enter puts the highlighted one into the text, Esc keeps the text."""

    DEFAULT_CSS = """
    AlternativesDialog { align: center middle; }
    AlternativesDialog > Vertical { width: 76; height: auto; max-height: 20;
        border: round $accent; background: $surface; padding: 0 1; }
    AlternativesDialog #alt-title { height: auto; }
    AlternativesDialog OptionList { height: auto; max-height: 14; }
    """
    BINDINGS = [Binding("escape", "cancel", "Keep the text")]

    def __init__(self, improvement: Improvement) -> None:
        super().__init__()
        self.improvement = improvement
        self.rewrites = rank_rewrites(improvement.rewrites)

    def compose(self) -> ComposeResult:
        imp = self.improvement
        with Vertical():
            title = Text.assemble(
                literal(f"Alternatives for {imp.target}", "bold"),
                literal(f" ({imp.engine})", "dim"),
                "\n",
                literal(imp.text, "italic"),
            )
            yield Static(title, id="alt-title")
            options = []
            for index, rewrite in enumerate(self.rewrites):
                label = Text.assemble(
                    delta_text(rewrite.score_delta if rewrite.score_delta is not None else 0),
                    " ",
                    literal(rewrite.text),
                )
                if rewrite.scores is not None:
                    label.append(f"  ({rewrite.scores.overall}/100)", "dim")
                options.append(Option(label, id=str(index)))
            yield OptionList(*options, id="alternatives")
            yield Static(Text("enter: use it · esc: keep the text", style="dim"))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.rewrites[event.option_index].text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class DraftActions(EditorKeys):
    """Saving an unsaved new draft and asking for alternatives, for ``EditorScreen``."""

    if TYPE_CHECKING:  # provided by EditorScreen
        draft: str
        version: int
        outcome: DraftOutcome | None
        hints: Hints

        def refresh_hints(self) -> None: ...
        def _sync_hints(self) -> Hints: ...
        async def load_head(self) -> None: ...

    _improve_worker: Worker[None] | None = None

    # --- an unsaved new draft ----------------------------------------------------------------

    def load_unsaved(self, outcome: DraftOutcome) -> None:
        """Show the proposed draft; nothing is stored until the first save names it."""
        self.editor.load_text(write_sets([outcome.okr_set], "yaml"))
        self.refresh_hints()

    @work(group="save", exit_on_error=False)
    async def save_new(self, go: Callable[[], object] | None = None) -> None:
        """Ask for the name, store the text as v1 (the coach that drafted it as source)."""
        outcome = self.outcome
        assert outcome is not None
        self.refresh_hints()
        okr_set = self.hints.okr_set
        if okr_set is None:
            self.okr_app.say(f"cannot save: {self.hints.error}", severity="error")
            return
        app = self.okr_app
        suggested, check = await free_name(self.core, self.draft)
        typed = self.editor.text  # kept with v1, comments and all
        name = await app.push_screen_wait(
            PromptDialog("Name of the new draft", suggested, validate=check)
        )
        if name is None:
            return
        named = okr_set if okr_set.name else okr_set.model_copy(update={"name": name})
        critique = critique_set(named)
        try:
            result = await self.core.save_draft(
                name, replace(outcome, okr_set=named, critique=critique), text=typed
            )
        except OKRError as exc:
            app.say(one_line(exc), severity="error")
            return
        self.draft, self.outcome = name, None
        await self.load_head()
        app.refresh_drafts()
        app.say(f"Saved {name} v{result.version.number} · overall {critique.scores.overall}")
        if go is not None:
            go()

    def needs_name(self) -> bool:
        """True (and says so) while the draft is unsaved: history, review and the cycle
        are about stored versions."""
        if self.outcome is None:
            return False
        self.okr_app.say("save the new draft first (ctrl+s)", severity="warning")
        return True

    # --- alternatives for one key result -----------------------------------------------------

    def action_alternatives(self) -> None:
        """Alternative wordings of the KR under the cursor (the LLM, else the rules)."""
        hints = self._sync_hints()
        if hints.okr_set is None:
            self.okr_app.say(f"fix the text first: {hints.error}", severity="error")
            return
        target = hints.target_at(self.editor.cursor_location[0])
        tid = TargetId.try_parse(target) if target else None
        if tid is None or not tid.kr:
            self.okr_app.say("put the cursor on a key result first", severity="warning")
            return
        worker = self._improve_worker
        if worker is not None and worker.is_running:
            self.okr_app.say("already asking for alternatives (Esc cancels)")
            return
        use_llm = self.core.llm_ready()
        self._improve_worker = self.run_improve(hints.okr_set, str(tid), use_llm)

    @work(exclusive=True, group="improve", exit_on_error=False)
    async def run_improve(self, okr_set: OKRSet, target: str, use_llm: bool) -> None:
        """Await the alternatives here: cancelling the worker (Esc) cancels the request."""
        panel = self.panel
        try:
            if use_llm:
                panel.busy(f"Asking for alternatives to {target}… (Esc cancels)")
            engine = "llm" if use_llm else "rules"
            improvement = await self.core.improve_kr(okr_set, target, engine=engine)
        except asyncio.CancelledError:
            self.okr_app.say("Alternatives cancelled")
            raise
        except Exception as exc:  # noqa: BLE001 - a failed request never kills the app
            self.okr_app.say(f"No alternatives: {one_line(exc)}", severity="error", timeout=8)
            return
        finally:
            panel.busy(None)
        if not improvement.rewrites:
            self.okr_app.say(f"No alternatives for {target}: the rules have nothing to offer")
            return

        def chosen(text: str | None) -> None:
            if text is None or self.editor.text != before:
                return
            new = with_text(before, okr_set, target, text, self.hints.line_of(target))
            editor = self.editor
            cursor = editor.cursor_location
            editor.replace(new, (0, 0), editor.document.end, maintain_selection_offset=False)
            lines = new.split("\n")
            row = min(cursor[0], len(lines) - 1)
            editor.move_cursor((row, min(cursor[1], len(lines[row]))))
            editor.focus()

        before = self.editor.text
        self.app.push_screen(AlternativesDialog(improvement), chosen)

    def cancel_improve(self) -> bool:
        worker = self._improve_worker
        if worker is not None and worker.is_running:
            worker.cancel()
            self.panel.busy(None)
            return True
        return False
