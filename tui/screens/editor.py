"""The editor: a draft's YAML with live rule hints, and the critique panel beside it.

The text is only saved as a version on an explicit save (ctrl+s) or when a
suggestion is accepted; leaving with unsaved edits asks first. A version keeps the
text as typed (comments, layout), so any change of the text, a comment too, is an
unsaved edit, and after a save the editor keeps exactly what was typed. Suggestions
apply to the saved version (``app.accept``), so they are offered for
acceptance only while the text matches it (what accepting and dismissing do is
in ``editor_findings``). The rules run in a thread after a pause in typing;
the store is read and written through the App's use cases, awaited in workers; the
LLM coach (``app.coach``: the one critique pipeline) runs in a worker Esc cancels.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Footer, Header, TextArea
from textual.widgets.text_area import Selection
from textual.worker import Worker

from assistant.domain.drafting import DraftOutcome
from assistant.domain.plural import counted
from assistant.errors import EngineError, OKRError, one_line
from assistant.model import Finding, OKRSet, Report, Scores, SetCritique
from tui import editing
from tui.hints import Hints, LessonHints, compute_hints
from tui.safe import SafeStatic as Static
from tui.screen_text import error_line, hint_line
from tui.screens.dialogs import PromptDialog, UnsavedDialog
from tui.screens.editor_lessons import EditorLessons
from tui.suggestions import Suggestion, suggestion_for, with_delta
from tui.widgets.critique_panel import CritiquePanel
from tui.widgets.okr_text_area import OKRTextArea

HINT_DELAY = 0.25
SuggestionKey = tuple[str, str | None, bool]  # (finding key, its rewrite, text saved)


def worker_cancelled(exc: BaseException) -> bool:
    """An engine error that only says the run was interrupted (Esc, not a failure)."""
    text = one_line(exc).lower()
    return "interrupted" in text or "cancelled" in text


def only_set(report: Report | None) -> SetCritique:
    """The one set's critique in the coach's report; ``EngineError`` when it failed."""
    if report is None or not report.sets:
        errors = report.errors if report is not None else []
        raise EngineError(errors[0] if errors else "the coach returned nothing")
    result = report.sets[0]
    if result.error:
        raise EngineError(result.error)
    return result


class OKREditor(OKRTextArea):
    """The YAML text area (hanging-indent TextArea: a long KR wraps under its own text;
    the screen adds the structure-aware keys)."""


class EditorScreen(EditorLessons):
    """Edit one draft; critique it with the rules (live) or the LLM coach (ctrl+g)."""

    BINDINGS = [
        # The footer shows the few that matter at 80 columns; ? / F1 lists all of them.
        Binding("f2", "toggle_focus", "Findings", priority=True,
                tooltip="Switch between the text and the findings"),
        Binding("ctrl+s", "save", "Save", priority=True,
                tooltip="Save the text as a new version"),
        Binding("ctrl+g", "coach", "Coach", priority=True,
                tooltip="Ask the LLM coach about the text (Esc cancels)"),
        Binding("ctrl+r", "history", "History", priority=True,
                tooltip="The draft's versions: score trend, diff, restore"),
        Binding("ctrl+t", "review", "Review", priority=True,
                tooltip="Peer review of the saved version by personas"),
        Binding("ctrl+n", "add_kr", "Add key result", priority=True, show=False),
        Binding("ctrl+o", "add_objective", "Add objective", priority=True, show=False),
        Binding("alt+up", "move(-1)", "Move item up", priority=True, show=False,
                tooltip="Move the key result (or objective) up"),
        Binding("alt+down", "move(1)", "Move item down", priority=True, show=False,
                tooltip="Move the key result (or objective) down"),
        Binding("ctrl+delete,alt+d", "delete_item", "Delete item", priority=True, show=False,
                tooltip="Delete the key result or objective (ctrl+z undoes)"),
        Binding("f3", "cycle", "Cycle", priority=True, show=False,
                tooltip="The draft's cycle: check in, sync, grade, retro"),
        Binding("f4", "alternatives", "Alternatives for this KR", priority=True, show=False,
                tooltip="Alternatives for this KR: other wordings, scored"),
        Binding("escape", "back", "Back (cancels the coach)", show=False),
    ]  # fmt: skip

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        """Keys that cannot act now leave the footer (and say why when pressed)."""
        if action == "coach":
            return self.okr_app.coach_unavailable()
        if action in ("history", "review", "cycle") and self.outcome is not None:
            return "save the new draft first (ctrl+s): history, review and cycle need a version"
        return None

    # Below 100 columns the editor and the critique are full-width panes (f2 switches).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    def __init__(self, draft: str, outcome: DraftOutcome | None = None) -> None:
        super().__init__()
        self.draft = draft
        self.outcome = outcome  # an unsaved new draft: the first save names it (v1)
        self.version = 0
        self.hints = Hints()
        self.llm_findings: list[Finding] = []
        self._timer: Timer | None = None
        self._coach_worker: Worker[None] | None = None
        self._dismissed: set[str] = set()
        self._saved_text = ""
        self._hints_text: str | None = None  # the text self.hints are for
        self._suggestions: dict[SuggestionKey, Suggestion | None] = {}  # for self.hints.key
        self._lessons = LessonHints()  # of the draft's last graded cycle, read once per open
        self._quote: Selection | None = None  # selected while browsing the findings

    # --- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="editor-main"):
            with Vertical(id="editor-pane"):
                yield OKREditor(
                    id="source", soft_wrap=True, tab_behavior="focus", show_line_numbers=False
                )
                yield Static("", id="hint")
            yield CritiquePanel(id="panel")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "okr-coach"
        self.sub_title = self.draft
        if self.outcome is None:
            self._open()
        else:
            self.load_unsaved(self.outcome)
        self.query_one(OKREditor).focus()

    @work(group="open", exit_on_error=False)
    async def _open(self) -> None:
        """The draft's latest version, then the lessons of its last graded cycle."""
        await self.load_head()
        self._load_lessons()

    @property
    def editor(self) -> OKREditor:
        return self.query_one(OKREditor)

    @property
    def panel(self) -> CritiquePanel:
        return self.query_one(CritiquePanel)

    @property
    def dirty(self) -> bool:
        """True when the text differs from the text as loaded or last saved: the version
        keeps the text as typed, so a comment or layout edit is unsaved too (only
        trailing blank lines are not an edit). Nothing is parsed here."""
        return not self.core.same_text(self.editor.text, self._saved_text)

    def _sync_hints(self) -> Hints:
        """The hints of the text as it is now, for an action that needs them exact
        (computed here only when the background refresh has not caught up)."""
        text = self.editor.text
        if text != self._hints_text:
            self._use_hints(text, compute_hints(text, self.draft))
        return self.hints

    def _use_hints(self, text: str, hints: Hints) -> None:
        if hints.key != self.hints.key:
            self._suggestions = {}
        self.hints = hints
        self._hints_text = text

    # --- loading and refreshing --------------------------------------------------------------

    async def load_head(self) -> None:
        """Load the draft's latest version into the editor (discarding edits): the text
        it was written as when it has one (comments kept), else its canonical YAML."""
        head, text = await self.core.editor_version(self.draft)
        await self._mark_saved(head.number)
        editor = self.editor
        row, column = editor.cursor_location  # kept: saving or accepting never jumps to the top
        scroll = editor.scroll_y
        editor.load_text(text)
        self._saved_text = editor.text  # as shown: a control character appears escaped
        lines = self._saved_text.split("\n")
        row = min(row, len(lines) - 1)
        editor.move_cursor((row, min(column, len(lines[row]))))
        editor.scroll_to(y=scroll, animate=False)
        self.refresh_hints()

    async def _mark_saved(self, number: int) -> None:
        """The editor is now at version ``number`` (dirty is relative to it)."""
        self.version = number
        self._hints_text = None
        self._dismissed = await self.core.dismissed(self.draft, self.version)
        self.sub_title = f"{self.draft} @ v{self.version}"

    @on(TextArea.Changed, "#source")
    def _changed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(HINT_DELAY, self._pause_in_typing)
        self._update_title()  # a cheap mark while typing; the exact state comes with the hints

    @on(TextArea.SelectionChanged, "#source")
    def _moved(self) -> None:
        self._show_hint()

    def _update_title(self) -> None:
        mark = " ●" if self.dirty else ""
        where = "unsaved" if self.outcome is not None else f"v{self.version}"
        self.sub_title = f"{self.draft} @ {where}{mark}"

    def _pause_in_typing(self) -> None:
        self._timer = None
        self._refresh_in_thread(self.editor.text)

    @work(exclusive=True, group="hints")
    async def _refresh_in_thread(self, text: str) -> None:
        """Parse and critique ``text`` off the event loop, so typing in a big draft
        never waits for the rules; a result for text typed over since is dropped."""
        hints = await asyncio.to_thread(compute_hints, text, self.draft)
        if not self.is_attached or not self.query("#hint"):
            return  # the screen closed (or the app quit) while the rules ran
        if self.editor.text != text:
            return  # typing went on: its own pause refreshes
        self._use_hints(text, hints)
        self._redraw()

    def refresh_hints(self) -> None:
        """Bring the hints up to date with the text now, then redraw hints and panel."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._sync_hints()
        self._redraw()

    def _redraw(self) -> None:
        self._update_title()
        self._show_hint()
        self.run_worker(self._redraw_panel(), group="panel", exclusive=False)

    def _show_hint(self) -> None:
        hint = self.query_one("#hint", Static)
        if self.hints.error:
            hint.update(error_line(self.hints.error))
            return
        row = self.editor.cursor_location[0]
        target = self.hints.target_at(row)
        key = self.core.finding_key
        findings = [f for f in self.hints.findings_for(target) if key(f) not in self._dismissed]
        text = self.hints.okr_set.target_text(target) if target and self.hints.okr_set else None
        hint.update(hint_line(findings, target, text))

    def current_findings(self) -> list[Finding]:
        """Rules findings for the text plus LLM and lesson findings whose evidence is still
        there."""
        extra = [*self.llm_findings, *self.lesson_findings()]
        return self.hints.merged_findings(extra, self.core.finding_key, self._dismissed)

    def _suggestion(self, finding: Finding, clean: bool) -> Suggestion | None:
        """The finding's suggestion, scored when the text is saved; cached for this
        content, so a redraw (a dismissal, the coach's answer) re-scores nothing."""
        rewrite = finding.rewrite.text if finding.rewrite is not None else None
        key = (self.core.finding_key(finding), rewrite, clean)
        if key not in self._suggestions:
            okr_set = self.hints.okr_set
            suggestion = suggestion_for(finding, okr_set)
            if suggestion is not None and clean and okr_set is not None:
                suggestion = with_delta(suggestion, finding, okr_set)
            self._suggestions[key] = suggestion
        return self._suggestions[key]

    async def _redraw_panel(self) -> None:
        panels = self.query(CritiquePanel)
        if not panels or not panels.first().query("#scores"):
            return  # the screen is closing (its widgets go before its workers)
        panel = panels.first()
        critique = self.hints.critique
        panel.set_stale(critique is None)
        if critique is None:
            panel.set_status(
                Text("stale: fix the error to see the critique (accepting is off)", style="red")
            )
            return
        findings = self.current_findings()
        okr_set = self.hints.okr_set
        clean = not self.dirty
        key = self.core.finding_key
        cards = [(key(f), f, self._suggestion(f, clean)) for f in findings]
        panel.set_scores(critique.scores)
        llm = sum(1 for f in findings if f.source == "llm")
        status = Text.assemble(
            (counted(len(findings), "finding"), "bold"),
            (f" · {llm} from the coach" if llm else " · rules", "dim"),
            (f" · {len(self._dismissed)} dismissed (u)" if self._dismissed else "", "dim"),
            (" · unsaved: save to accept" if not clean else "", "yellow"),
        )
        panel.set_status(status)
        await panel.show(okr_set, cards)

    # --- selection sync ----------------------------------------------------------------------

    @on(CritiquePanel.Highlighted)
    def _finding_highlighted(self, event: CritiquePanel.Highlighted) -> None:
        """Select the finding's quoted evidence in the text so it is highlighted there too
        (only while the user browses the findings, never while typing)."""
        if not self.query_one("#findings").has_focus:
            return
        row = self.hints.line_of(event.finding.target)
        if row is None:
            return
        editor = self.editor
        lines = editor.text.split("\n")
        evidence = event.finding.evidence
        for r in range(row, min(row + 3, len(lines))):
            col = lines[r].find(evidence) if evidence else -1
            if col >= 0:
                self._quote = Selection((r, col), (r, col + len(evidence)))
                editor.selection = self._quote
                editor.scroll_cursor_visible(center=True)
                return
        editor.move_cursor((row, 0), center=True)

    # --- saving ------------------------------------------------------------------------------

    async def _changed_targets(self) -> str:
        try:
            old = (await self.core.version(self.draft, self.version)).okr_set
        except OKRError:
            return "Edit"
        new = self.hints.okr_set
        return "Edit" if new is None else editing.change_message(old, new)

    async def _ask_message(self) -> str | None:
        """The version message (proposed: what changed), None when cancelled."""
        proposed = await self._changed_targets()
        return await self.app.push_screen_wait(
            PromptDialog("What changed? (version message)", proposed)
        )

    @work(group="save", exit_on_error=False)
    async def action_save(self) -> None:
        """Ask for a message, then save the text as a new version."""
        if self.outcome is not None:
            self.save_new()
            return
        self.refresh_hints()
        if self.hints.okr_set is None:
            self.okr_app.say(f"cannot save: {self.hints.error}", severity="error")
            return
        if not self.dirty:
            self.okr_app.say(f"nothing to save: v{self.version} already holds this text")
            return
        message = await self._ask_message()
        if message is not None:
            await self.save_now(message)

    async def save_now(self, message: str, source: str = "manual") -> bool:
        self._sync_hints()  # the set saved is the one the text holds now
        okr_set = self.hints.okr_set
        text = self.editor.text
        if okr_set is None:
            return False
        try:
            result = await self.core.save(
                self.draft,
                okr_set,
                message,
                source=source,
                expected_head=self.version,
                carry_dismissals=True,
                text=text,
            )
        except OKRError as exc:
            self.okr_app.say(one_line(exc), severity="error")
            return False
        await self._after_save(result.version.number, result.version.scores, text, result.created)
        return True

    async def _after_save(
        self, number: int, scores: Scores | None, text: str, created: bool
    ) -> None:
        """The text stays exactly as typed (no reload: the cursor, the scroll and the
        undo history stay too); it is now the saved text."""
        self._saved_text = text
        await self._mark_saved(number)
        self.refresh_hints()
        if not created:
            self.okr_app.say(f"nothing to save: v{number} already holds this text")
            return
        overall = f" · overall {scores.overall}" if scores is not None else ""
        self.okr_app.say(f"Saved {self.draft} v{number}{overall}")

    # --- LLM coach ---------------------------------------------------------------------------

    def action_coach(self) -> None:
        """Ask the LLM coach about the current text, in a worker (Esc cancels)."""
        self._sync_hints()
        if self.hints.okr_set is None:
            self.okr_app.say(f"fix the text first: {self.hints.error}", severity="error")
            return
        problem = self.okr_app.coach_unavailable()
        if problem:
            self.okr_app.say(problem, severity="warning")
            return
        if self.panel.is_busy:
            self.okr_app.say("the coach is already working (Esc cancels)")
            return
        self._coach_worker = self.run_coach(self.hints.okr_set)

    @work(exclusive=True, group="coach", exit_on_error=False)
    async def run_coach(self, okr_set: OKRSet) -> None:
        """Await the coach (``app.coach``: the critique use case, grounded in the draft's
        lessons) in this worker: cancelling it (Esc, quitting) cancels the request."""
        panel = self.panel
        draft = self.draft if self.outcome is None else None
        self._coach_cancelling = False
        panel.busy(f"Asking the coach ({self.okr_app.coach_label()})…")
        try:
            report = (await self.core.coach(okr_set, draft)).report
            critique = only_set(report)
        except asyncio.CancelledError:
            self.okr_app.say("Coach cancelled")
            raise
        except Exception as exc:  # noqa: BLE001 - a failed coach never kills the app
            if worker_cancelled(exc) or getattr(self, "_coach_cancelling", False):
                self.okr_app.say("Coach cancelled")  # Esc, whatever the engine raised
                return
            self.okr_app.say(f"The coach failed: {one_line(exc)}", severity="error", timeout=8)
            return
        finally:
            panel.busy(None)
        llm = [f for f in critique.findings if f.source == "llm"]
        self.llm_findings = llm
        self.okr_app.say(f"The coach made {len(llm)} suggestion(s)")
        if report is not None and report.guards is not None:
            from assistant.render.llm_usage import guards_line

            panel.set_guards(guards_line(report.guards))
        await self._redraw_panel()

    def cancel_coach(self) -> bool:
        worker = self._coach_worker
        if worker is not None and worker.is_running:
            self._coach_cancelling = True
            worker.cancel()
            self.panel.busy(None)
            return True
        return False

    # --- navigation --------------------------------------------------------------------------

    def action_back(self) -> None:
        if self.cancel_coach() or self.cancel_improve():
            return
        self.leave(lambda: self.dismiss())

    @work(group="leave", exit_on_error=False)
    async def leave(self, go: Callable[[], object]) -> None:
        """Run ``go`` once unsaved edits are saved or discarded (asks when there are some)."""
        self._sync_hints()
        if not self.dirty:
            go()
            return
        choice = await self.app.push_screen_wait(UnsavedDialog())
        if choice == "discard":
            go()
        elif choice == "save" and self.outcome is not None:
            self.save_new(go)
        elif choice == "save":
            self.refresh_hints()
            if self.hints.okr_set is None:
                self.okr_app.say(f"cannot save: {self.hints.error}", severity="error")
                return
            message = await self._ask_message()
            if message is not None and await self.save_now(message):
                go()

    def reload_if_moved(self, _closed: object = None) -> None:
        """After history/review (a screen's result callback): load the new head if a
        version was added meanwhile."""
        self._reload_if_moved()

    @work(group="moved", exit_on_error=False)
    async def _reload_if_moved(self) -> None:
        try:
            head = (await self.core.summary(self.draft)).head.number
        except OKRError as exc:
            self.okr_app.say(one_line(exc), severity="error")
            return
        if head == self.version:
            return
        if self.dirty:
            self.okr_app.say(
                f"{self.draft} is at v{head} now; your unsaved edits are based on v{self.version}",
                severity="warning",
            )
        else:
            await self.load_head()
            # Another version's findings: start at the top, not where the old list was.
            self.panel.to_top()

    def action_history(self) -> None:
        from tui.screens.history import HistoryScreen

        if self.needs_name():
            return
        self.app.push_screen(HistoryScreen(self.draft, editor=self), self.reload_if_moved)

    # --- a restore under unsaved edits (the history screen asks which) ---------------------------

    async def keep_edits_on(self, number: int) -> None:
        """Version ``number`` (a restore made under the unsaved edits) becomes the one the
        typed text is based on: the text stays as typed and unsaved, and a save stacks
        it on that version (the restore stays in the history under it)."""
        _, text = await self.core.editor_version(self.draft, number)
        self._saved_text = text
        await self._mark_saved(number)
        self.refresh_hints()

    async def save_edits_as_draft(self) -> str | None:
        """The typed text as v1 of a new draft (its name asked, a free one proposed): that
        name, or None when cancelled, refused or the text does not parse."""
        from tui.screens.editor_new import free_name

        okr_set = self._sync_hints().okr_set
        if okr_set is None:
            self.okr_app.say(f"cannot save as a draft: {self.hints.error}", severity="error")
            return None
        typed = self.editor.text
        suggested, check = await free_name(self.core, f"{self.draft} edits")
        name = await self.app.push_screen_wait(
            PromptDialog("Name of the new draft for your edits", suggested, validate=check)
        )
        if name is None:
            return None
        try:
            await self.core.save(
                name, okr_set, f"Unsaved edits of {self.draft} v{self.version}", text=typed
            )
        except OKRError as exc:
            self.okr_app.say(one_line(exc), severity="error")
            return None
        self.okr_app.refresh_drafts()
        return name

    def action_review(self) -> None:
        if not self.needs_name():
            self.okr_app.open_review(self)

    def action_cycle(self) -> None:
        """This draft's cycle: status, check in, grade, retro (tui/screens/cycle.py)."""
        from tui.screens.cycle import CycleScreen

        if not self.needs_name():
            self.app.push_screen(CycleScreen(self.draft))
