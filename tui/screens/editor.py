"""The editor: a draft's YAML with live rule hints, and the critique panel beside it.

The text is only saved as a version on an explicit save (ctrl+s) or when a
suggestion is accepted; leaving with unsaved edits asks first. Suggestions
apply to the saved version (``drafts.accept``), so they are offered for
acceptance only while the text matches it.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Static, TextArea
from textual.widgets.text_area import Selection

from assistant.errors import OKRError
from assistant.io import write_sets
from assistant.model import Finding, OKRSet, Scores, SetCritique
from assistant.services import dismissals, drafts
from assistant.services.dismissals import finding_key
from tui import editing
from tui.hints import Hints, compute_hints
from tui.screens.dialogs import PromptDialog, RewriteDialog, UnsavedDialog
from tui.suggestions import Suggestion, placeholders, rewrite_delta, suggestion_for, with_delta
from tui.texts import error_line, hint_line
from tui.widgets.critique_panel import CritiquePanel

if TYPE_CHECKING:
    from tui.app import OKRApp

HINT_DELAY = 0.25


def _content_key(okr_set: OKRSet | None) -> str | None:
    if okr_set is None:
        return None
    return json.dumps(okr_set.content(), sort_keys=True, ensure_ascii=False)


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if isinstance(exc, OKRError) else f"{type(exc).__name__}: {text or 'failed'}"


class OKREditor(TextArea):
    """The YAML text area (plain TextArea; the screen adds the structure-aware keys)."""


class EditorScreen(Screen[None]):
    """Edit one draft; critique it with the rules (live) or the LLM coach (ctrl+g)."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("ctrl+g", "coach", "Coach", priority=True),
        Binding("ctrl+n", "add_kr", "+KR", priority=True),
        Binding("ctrl+o", "add_objective", "+Obj", priority=True),
        Binding("alt+up", "move(-1)", "Move up", priority=True),
        Binding("alt+down", "move(1)", "Move down", priority=True),
        Binding("ctrl+delete,alt+d", "delete_item", "Del item", priority=True),
        Binding("ctrl+r", "history", "History", priority=True),
        Binding("ctrl+t", "review", "Review", priority=True),
        Binding("f2", "toggle_focus", "Panel", priority=True),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, draft: str) -> None:
        super().__init__()
        self.draft = draft
        self.version = 0
        self.saved_key: str | None = None
        self.hints = Hints()
        self.llm_findings: list[Finding] = []
        self._timer: Timer | None = None
        self._coach_worker = None
        self._dismissed: set[str] = set()
        self._saved_text = ""
        self._hints_text: str | None = None

    @property
    def okr_app(self) -> OKRApp:
        return self.app  # type: ignore[return-value]

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
        self.load_head()
        self.query_one(OKREditor).focus()

    @property
    def editor(self) -> OKREditor:
        return self.query_one(OKREditor)

    @property
    def panel(self) -> CritiquePanel:
        return self.query_one(CritiquePanel)

    @property
    def dirty(self) -> bool:
        """True when the text differs from the saved version (checked on the current
        text, even when the debounced hints have not caught up with typing yet)."""
        hints = self._sync_hints()
        if hints.okr_set is None:
            return self.editor.text.strip() != self._saved_text.strip()
        return _content_key(hints.okr_set) != self.saved_key

    def _sync_hints(self) -> Hints:
        """The hints of the text as it is now (recomputed only when it changed)."""
        text = self.editor.text
        if text != self._hints_text:
            self.hints = compute_hints(text, self.draft)
            self._hints_text = text
        return self.hints

    # --- loading and refreshing --------------------------------------------------------------

    def load_head(self) -> None:
        """Load the draft's latest version into the editor (discarding edits)."""
        head = drafts.get_version(self.okr_app.home, self.draft)
        self.version = head.number
        self.saved_key = _content_key(head.okr_set)
        self._saved_text = write_sets([head.okr_set], "yaml")
        self._dismissed = dismissals.dismissed(self.okr_app.home, self.draft, self.version)
        self.sub_title = f"{self.draft} @ v{self.version}"
        self.editor.load_text(self._saved_text)
        self.refresh_hints()

    @on(TextArea.Changed, "#source")
    def _changed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(HINT_DELAY, self.refresh_hints)
        # A cheap mark while typing; the exact state comes with the hints.
        self._update_title(self.editor.text != self._saved_text)

    @on(TextArea.SelectionChanged, "#source")
    def _moved(self) -> None:
        self._show_hint()

    def _update_title(self, dirty: bool | None = None) -> None:
        if dirty is None:
            dirty = self.dirty
        mark = " ●" if dirty else ""
        self.sub_title = f"{self.draft} @ v{self.version}{mark}"

    def refresh_hints(self) -> None:
        """Re-parse and re-critique the text (rules engine), then redraw hints and panel."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._sync_hints()
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
        findings = [
            f for f in self.hints.findings_for(target) if finding_key(f) not in self._dismissed
        ]
        text = self.hints.okr_set.target_text(target) if target and self.hints.okr_set else None
        hint.update(hint_line(findings, target, text))

    def current_findings(self) -> list[Finding]:
        """Rules findings for the text plus LLM findings whose evidence is still there."""
        critique = self.hints.critique
        okr_set = self.hints.okr_set
        if critique is None or okr_set is None:
            return []
        found = list(critique.findings)
        seen = {finding_key(f) for f in found}
        for finding in self.llm_findings:
            try:
                text = okr_set.target_text(finding.target)
            except (IndexError, ValueError):
                continue
            if finding.evidence in text and finding_key(finding) not in seen:
                found.append(finding)
        order = {target: i for i, (_, target) in enumerate(self.hints.starts)}
        found.sort(key=lambda f: (order.get(f.target, -1), f.source != "rules"))
        return [f for f in found if finding_key(f) not in self._dismissed]

    async def _redraw_panel(self) -> None:
        panel = self.panel
        critique = self.hints.critique
        if critique is None:
            panel.set_status(Text("fix the error to see the critique", style="red"))
            return
        findings = self.current_findings()
        okr_set = self.hints.okr_set
        suggestions: dict[str, Suggestion | None] = {}
        clean = not self.dirty
        for finding in findings:
            suggestion = suggestion_for(finding, okr_set)
            if suggestion is not None and clean and okr_set is not None:
                suggestion = with_delta(suggestion, finding, okr_set)
            suggestions[finding_key(finding)] = suggestion
        panel.set_scores(critique.scores)
        llm = sum(1 for f in findings if f.source == "llm")
        status = Text.assemble(
            (f"{len(findings)} findings", "bold"),
            (f" · {llm} from the coach" if llm else " · rules", "dim"),
            (f" · {len(self._dismissed)} dismissed (u)" if self._dismissed else "", "dim"),
            (" · unsaved: save to accept" if not clean else "", "yellow"),
        )
        panel.set_status(status)
        await panel.show(okr_set, findings, suggestions)

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
                editor.selection = Selection((r, col), (r, col + len(evidence)))
                editor.scroll_cursor_visible(center=True)
                return
        editor.move_cursor((row, 0), center=True)

    # --- structure-aware editing -------------------------------------------------------------

    def _apply(self, edit: editing.Edit | None) -> None:
        """Make a structural edit as one undoable change of the text area."""
        if edit is None:
            self.app.bell()
            return
        editor = self.editor
        new = editing.apply(editor.text, edit)
        editor.replace(new, (0, 0), editor.document.end, maintain_selection_offset=False)
        editor.move_cursor(edit.cursor, center=False)
        editor.scroll_cursor_visible()
        editor.focus()

    def _row(self) -> int:
        return self.editor.cursor_location[0]

    def action_add_kr(self) -> None:
        self._apply(editing.add_key_result(self.editor.text, self._row()))

    def action_add_objective(self) -> None:
        self._apply(editing.add_objective(self.editor.text, self._row()))

    def action_move(self, direction: int) -> None:
        self._apply(editing.move_item(self.editor.text, self._row(), direction))

    def action_delete_item(self) -> None:
        self._apply(editing.delete_item(self.editor.text, self._row()))

    def action_toggle_focus(self) -> None:
        if self.editor.has_focus:
            self.query_one("#findings").focus()
        else:
            self.editor.focus()

    # --- saving ------------------------------------------------------------------------------

    def _changed_targets(self) -> str:
        try:
            old = drafts.get_version(self.okr_app.home, self.draft, self.version).okr_set
        except OKRError:
            return "Edit"
        new = self.hints.okr_set
        if new is None:
            return "Edit"
        changed = []
        for oi in range(max(len(old.objectives), len(new.objectives))):
            a = old.objectives[oi] if oi < len(old.objectives) else None
            b = new.objectives[oi] if oi < len(new.objectives) else None
            if a is None or b is None or a.model_dump() != b.model_dump():
                changed.append(f"O{oi + 1}")
        if old.name != new.name or old.cycle != new.cycle or old.owner != new.owner:
            changed.insert(0, "set")
        return f"Edit {', '.join(changed[:4])}" if changed else "Edit"

    def action_save(self, then: str | None = None) -> None:
        """Ask for a message, then save the text as a new version."""
        self.refresh_hints()
        if self.hints.okr_set is None:
            self.okr_app.say(f"cannot save: {self.hints.error}", severity="error")
            return
        if not self.dirty:
            self.okr_app.say(f"nothing to save: v{self.version} already holds this text")
            if then == "back":
                self.dismiss()
            return

        def done(message: str | None) -> None:
            if message is None:
                return
            if self.save_now(message) and then == "back":
                self.dismiss()

        self.app.push_screen(
            PromptDialog("What changed? (version message)", self._changed_targets()), done
        )

    def save_now(self, message: str, source: str = "manual") -> bool:
        okr_set = self.hints.okr_set
        if okr_set is None:
            return False
        try:
            result = drafts.save(
                self.okr_app.home,
                self.draft,
                okr_set,
                message,
                source=source,
                expected_head=self.version,
            )
        except OKRError as exc:
            self.okr_app.say(one_line(exc), severity="error")
            return False
        self._after_save(result.version.number, result.version.scores)
        return True

    def _after_save(self, number: int, scores: Scores | None) -> None:
        if number != self.version:
            dismissals.carry_forward(self.okr_app.home, self.draft, self.version, number)
        self.load_head()
        overall = f" · overall {scores.overall}" if scores is not None else ""
        self.okr_app.say(f"Saved {self.draft} v{number}{overall}")

    # --- suggestions -------------------------------------------------------------------------

    @on(CritiquePanel.Act)
    def _act(self, event: CritiquePanel.Act) -> None:
        event.stop()
        if event.action == "undismiss":
            count = dismissals.undismiss(self.okr_app.home, self.draft, self.version)
            self._dismissed = set()
            self.okr_app.say(f"{count} dismissed suggestion(s) shown again")
            self.refresh_hints()
            return
        finding = event.finding
        if finding is None:
            return
        if event.action == "dismiss":
            self.dismiss_finding(finding)
        elif event.action == "accept":
            self.accept(finding, event.suggestion, edit=False)
        elif event.action == "edit":
            self.accept(finding, event.suggestion, edit=True)

    def dismiss_finding(self, finding: Finding) -> None:
        try:
            key = dismissals.dismiss(self.okr_app.home, self.draft, self.version, finding)
        except OKRError as exc:
            self.okr_app.say(one_line(exc), severity="error")
            return
        self._dismissed.add(key)
        self.okr_app.say(
            f"Dismissed {finding.code} on {finding.target} for v{self.version} (u: undo)"
        )
        self.refresh_hints()

    def accept(self, finding: Finding, suggestion: Suggestion | None, *, edit: bool) -> None:
        """Accept the finding's rewrite as a new version (editing it first when asked,
        when it has blanks to fill in, or when the finding offers no rewrite)."""
        if self.dirty or self.hints.okr_set is None:
            self.okr_app.say(
                "Save your edits first (ctrl+s): suggestions apply to a saved version",
                severity="warning",
            )
            return
        if finding.target == "SET":
            self.okr_app.say(
                "This finding is about the whole set: edit the text directly", severity="warning"
            )
            return
        okr_set = self.hints.okr_set
        current = okr_set.target_text(finding.target)
        if suggestion is not None and suggestion.ready and not edit:
            text = suggestion.text if finding.rewrite is None else None
            self._accept_now(finding, text)
            return

        def score(text: str) -> int | None:
            return rewrite_delta(okr_set, finding.target, " ".join(text.split()), finding.evidence)

        def done(text: str | None) -> None:
            if text is not None:
                self._accept_now(finding, text)

        self.app.push_screen(
            RewriteDialog(
                finding.target,
                current,
                suggestion.text if suggestion else current,
                score,
                lambda text: placeholders(text, current),
            ),
            done,
        )

    def _accept_now(self, finding: Finding, text: str | None) -> None:
        before = self.hints.critique.scores.overall if self.hints.critique else None
        try:
            result = drafts.accept(
                self.okr_app.home, self.draft, finding, text=text, expected_head=self.version
            )
        except OKRError as exc:
            self.okr_app.say(one_line(exc), severity="error")
            return
        number = result.version.number
        if number != self.version:
            dismissals.carry_forward(self.okr_app.home, self.draft, self.version, number)
        self.load_head()
        after = self.hints.critique.scores.overall if self.hints.critique else None
        change = (
            f" · overall {before} → {after}" if before is not None and after is not None else ""
        )
        self.okr_app.say(f"Accepted: {self.draft} v{number} ({result.version.source}){change}")

    # --- LLM coach ---------------------------------------------------------------------------

    def action_coach(self) -> None:
        """Ask the LLM coach about the current text, in a worker (Esc cancels)."""
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
        panel = self.panel
        panel.busy(f"Asking the coach ({self.okr_app.coach_label()})…")
        try:
            critique: SetCritique = await self.okr_app.coach(okr_set, self.okr_app.settings.style)
        except asyncio.CancelledError:
            self.okr_app.say("Coach cancelled")
            raise
        except Exception as exc:  # noqa: BLE001 - a failed coach never kills the app
            self.okr_app.say(f"The coach failed: {one_line(exc)}", severity="error", timeout=8)
            return
        finally:
            panel.busy(None)
        if critique.error:
            self.okr_app.say(
                f"The coach could not finish: {critique.error}", severity="error", timeout=8
            )
        llm = [f for f in critique.findings if f.source == "llm"]
        self.llm_findings = llm
        self.okr_app.say(f"The coach made {len(llm)} suggestion(s)")
        await self._redraw_panel()

    def cancel_coach(self) -> bool:
        worker = self._coach_worker
        if worker is not None and worker.is_running:
            worker.cancel()
            self.panel.busy(None)
            return True
        return False

    # --- navigation --------------------------------------------------------------------------

    def action_back(self) -> None:
        if self.cancel_coach():
            return
        self.leave(lambda: self.dismiss())

    def leave(self, go) -> None:  # noqa: ANN001 - a callable
        """Run ``go`` once unsaved edits are saved or discarded (asks when there are some)."""
        if not self.dirty:
            go()
            return

        def chosen(choice: str | None) -> None:
            if choice == "discard":
                go()
            elif choice == "save":
                self.refresh_hints()
                if self.hints.okr_set is None:
                    self.okr_app.say(f"cannot save: {self.hints.error}", severity="error")
                    return

                def saved(message: str | None) -> None:
                    if message is not None and self.save_now(message):
                        go()

                self.app.push_screen(
                    PromptDialog("What changed? (version message)", self._changed_targets()), saved
                )

        self.app.push_screen(UnsavedDialog(), chosen)

    def reload_if_moved(self) -> None:
        """After history/review: load the new head if a version was added meanwhile."""
        try:
            head = drafts.draft_summary(self.okr_app.home, self.draft).head.number
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
            self.load_head()

    def action_history(self) -> None:
        from tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.draft), lambda _: self.reload_if_moved())

    def action_review(self) -> None:
        self.okr_app.open_review(self)
