"""New draft → from an idea (the LLM drafts) or → guided (the interview as a form).

Both call the App's drafting use cases — the same as ``okr draft`` — and
land in the editor as an unsaved draft; its first save names it and stores v1 with the
coach that wrote it (``draft:llm`` or ``draft:interview``). The guided form checks
every answer as you type, with the questions the terminal interview would ask.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, TextArea
from textual.worker import Worker

from assistant.domain.drafting import MAX_KRS, Answer, Answers, DraftOutcome, KRAnswers
from assistant.errors import one_line
from assistant.io import write_sets
from assistant.render.drafting import draft_summary
from tui.safe import SafeInput, SafeTextArea, literal
from tui.safe import SafeStatic as Static
from tui.screens.base import OKRScreen
from tui.screens.dialogs import ConfirmDialog

CHECK_DELAY = 0.25  # seconds of quiet typing before the form is checked again
KR_FIELDS = ("metric", "baseline", "target", "deadline")
PLACEHOLDERS = {"metric": "measure", "baseline": "today", "target": "target", "deadline": "by when"}


def keep_draft(screen: OKRScreen, outcome: DraftOutcome, suggested: str) -> None:
    """Open ``outcome`` in the editor as an unsaved draft; its first save (ctrl+s) asks
    for the name and stores v1 with the coach that wrote it."""
    from tui.screens.editor import EditorScreen

    app = screen.okr_app
    if app.screen is screen:
        app.pop_screen()  # what was typed is in the editor now: nothing is lost
    app.push_screen(EditorScreen(suggested, outcome=outcome))


def _preview(outcome: DraftOutcome) -> Text:
    return literal(draft_summary(outcome) + "\n" + write_sets([outcome.okr_set], "yaml"))


async def ask_to_discard(screen: OKRScreen, what: str, go: Callable[[], object]) -> None:
    """Run ``go`` once the user agreed to throw ``what`` away."""
    question = f"Throw away {what}?"
    if await screen.app.push_screen_wait(ConfirmDialog(question, yes="Discard", no="Keep it")):
        go()


class IdeaScreen(OKRScreen[None]):
    """Write what you want to achieve; the LLM proposes a set (ctrl+g), re-scored by the
    rules and guarded against invented numbers; ctrl+s opens it in the editor. Without
    the coach (no key, engine rules) ctrl+g is off and the screen says why."""

    DEFAULT_CSS = """
    IdeaScreen #idea { height: 6; }
    IdeaScreen #idea-status { height: auto; padding: 0 1; color: $text-muted; }
    IdeaScreen #idea-preview { padding: 0 1; }
    """
    BINDINGS = [
        Binding("ctrl+g", "draft", "Draft it", priority=True,
                tooltip="The LLM drafts OKRs from the idea"),
        Binding("ctrl+s", "keep", "Open in editor", priority=True,
                tooltip="Open the proposed draft in the editor"),
        Binding("escape", "back", "Back", tooltip="Back (asks before throwing the idea away)"),
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.outcome: DraftOutcome | None = None
        self._worker: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._intro(), id="idea-status")
        yield SafeTextArea(id="idea", soft_wrap=True, tab_behavior="focus")
        with VerticalScroll():
            yield Static("", id="idea-preview")
        yield Footer(compact=True)

    def _intro(self) -> Text:
        problem = self.okr_app.coach_unavailable()
        ask = (
            "What do you (or your team) want to achieve? A sentence or a paragraph, with any "
            "numbers you know."
        )
        if problem:
            return Text.assemble(
                ask,
                "\n",
                literal(f"{problem}.", "yellow"),
                " Drafting from an idea needs the coach; the guided form (g on the drafts list)"
                " works offline.",
            )
        return Text(f"{ask} ctrl+g drafts it; the model may use only your numbers.")

    def on_mount(self) -> None:
        self.title = "okr-coach"
        self.sub_title = "new draft from an idea"
        self.query_one(SafeTextArea).focus()

    @property
    def idea(self) -> str:
        areas = self.query(SafeTextArea)
        return " ".join(areas.first().text.split()) if areas else ""

    @property
    def dirty(self) -> bool:
        """Typed text (or a draft not yet opened in the editor) that leaving would lose."""
        return bool(self.idea) or self.outcome is not None

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        if action == "draft":
            problem = self.okr_app.coach_unavailable()
            if problem:
                return f"{problem}. The guided form (g on the drafts list) works offline."
            if not self.idea:
                return "Write the idea first"
        if action == "keep" and self.outcome is None:
            return "No draft yet: ctrl+g drafts the idea first"
        return None

    @on(TextArea.Changed, "#idea")
    def _typed(self) -> None:
        self.refresh_bindings()

    def _status(self, text: str, style: str = "") -> None:
        self.query_one("#idea-status", Static).update(literal(text, style))

    def action_draft(self) -> None:
        self._worker = self.run_draft(self.idea)

    @work(exclusive=True, group="draft", exit_on_error=False)
    async def run_draft(self, idea: str) -> None:
        """Await the drafting in this worker: Esc cancels the request in flight."""
        self._status(f"Drafting with {self.okr_app.settings.llm.model}… (Esc cancels)")
        try:
            outcome = await self.core.draft_from_idea(idea)
        except asyncio.CancelledError:
            self._status("Cancelled.")
            raise
        except Exception as exc:  # noqa: BLE001 - a failed draft never kills the app
            self._status(f"No draft: {one_line(exc)}", "red")
            return
        self.outcome = outcome
        self._status("Draft ready: ctrl+s opens it in the editor, ctrl+g asks again.", "green")
        self.query_one("#idea-preview", Static).update(_preview(outcome))
        self.refresh_bindings()

    def action_keep(self) -> None:
        if self.outcome is not None:
            keep_draft(self, self.outcome, self.outcome.okr_set.name or "New draft")

    def action_back(self) -> None:
        if self._worker is not None and self._worker.is_running:
            self._worker.cancel()
            return
        self.leave(self.dismiss)

    @work(group="leave", exit_on_error=False)
    async def leave(self, go: Callable[[], object]) -> None:
        """Run ``go``; asks first when the typed idea (or its draft) would be lost."""
        if not self.dirty:
            go()
            return
        what = "the idea you typed" if self.outcome is None else "the idea and its draft"
        await ask_to_discard(self, what, go)


class GuidedScreen(OKRScreen[None]):
    """The guided interview as a form: the outcome, then per key result the measure,
    today, the target and by when; each answer is checked as you type and the key
    results are written for you. ctrl+s opens the draft in the editor; Esc asks before
    throwing the answers away."""

    DEFAULT_CSS = """
    GuidedScreen .guided-label { height: 1; padding: 0 1; text-style: bold; }
    GuidedScreen .guided-row { height: 1; }
    GuidedScreen .guided-row Input { width: 14; }
    GuidedScreen .guided-row Input.metric { width: 1fr; }
    GuidedScreen .guided-check { height: auto; padding: 0 1 0 3; color: $text-muted; }
    GuidedScreen #guided-preview { padding: 1 1 0 1; }
    """
    BINDINGS = [
        Binding("ctrl+s", "keep", "Open in editor", priority=True,
                tooltip="Open the answers' draft in the editor"),
        Binding("escape", "back", "Back", tooltip="Back (asks before throwing answers away)"),
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.outcome: DraftOutcome | None = None
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static("What outcome do you want? (in words, no numbers)", classes="guided-label")
            yield SafeInput(placeholder="Make onboarding effortless for new customers",
                            id="objective", compact=True)  # fmt: skip
            yield Static("", id="check-objective", classes="guided-check")
            yield SafeInput(placeholder="cycle (optional): 2026-Q1", id="cycle", compact=True)
            yield Static(
                "Key results: the measure, where it is today, where it should be, by when",
                classes="guided-label",
            )
            for k in range(1, MAX_KRS + 1):
                with Horizontal(classes="guided-row"):
                    for name in KR_FIELDS:
                        yield SafeInput(
                            placeholder=f"KR{k} {PLACEHOLDERS[name]}" if name == "metric"
                            else PLACEHOLDERS[name],
                            id=f"{name}-{k}",
                            classes=name,
                            compact=True,
                        )  # fmt: skip
                yield Static("", id=f"check-{k}", classes="guided-check")
            yield Static("", id="guided-preview")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "okr-coach"
        self.sub_title = "new draft: guided"
        self.query_one("#objective", Input).focus()

    @on(Input.Changed)
    def _changed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(CHECK_DELAY, self.check_now)
        self.refresh_bindings()

    @property
    def dirty(self) -> bool:
        """Any answer typed: leaving would lose it."""
        return any(field.value.strip() for field in self.query(Input).results(Input))

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        if action == "keep" and self.query("#objective"):  # (not before the form exists)
            metrics = (self._value(f"metric-{k}") for k in range(1, MAX_KRS + 1))
            if not self._value("objective") or not any(metrics):
                return "Give the outcome and at least one key result first"
        return None

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def answers(self) -> tuple[Answers | None, list[int]]:
        """The form as an answers file, and which form row each key result came from."""
        objective = self._value("objective")
        rows: list[int] = []
        key_results: list[KRAnswers] = []
        for k in range(1, MAX_KRS + 1):
            values = {name: self._value(f"{name}-{k}") for name in KR_FIELDS}
            if not values["metric"]:
                continue
            rows.append(k)
            replies = {n: (Answer(v),) if v else () for n, v in values.items()}
            key_results.append(
                KRAnswers(
                    metric=replies["metric"],
                    baseline=replies["baseline"],
                    target=replies["target"],
                    deadline=replies["deadline"],
                )
            )
        if not objective:
            return None, rows
        cycle = self._value("cycle") or None
        return Answers((Answer(objective),), tuple(key_results), cycle=cycle), rows

    def check_now(self) -> DraftOutcome | None:
        """Run the interview on the form as it is and show every check in place."""
        self._timer = None
        answers, rows = self.answers()
        for k in range(1, MAX_KRS + 1):
            self.query_one(f"#check-{k}", Static).update("")
        objective_check = self.query_one("#check-objective", Static)
        preview = self.query_one("#guided-preview", Static)
        if answers is None:
            objective_check.update(Text("Start with the outcome you want.", style="yellow"))
            preview.update("")
            self.outcome = None
            return None
        outcome = self.core.interview(answers)
        self.outcome = outcome
        problems: dict[int, str] = {}
        for turn in outcome.transcript:
            question, check = turn.question, turn.check
            if check.ok or not check.follow_up or question.follow_up:
                continue
            problems.setdefault(question.kr, check.follow_up)
        objective_check.update(
            literal(f"↳ {problems[0]}", "yellow") if 0 in problems else Text("✓", style="green")
        )
        key_results = outcome.okr_set.objectives[0].key_results
        for index, row in enumerate(rows, start=1):
            line = self.query_one(f"#check-{row}", Static)
            if index in problems:
                line.update(literal(f"↳ {problems[index]}", "yellow"))
            elif index <= len(key_results):
                line.update(literal(f"✓ {key_results[index - 1].text}", "green"))
        preview.update(literal(draft_summary(outcome)))
        return outcome

    def action_keep(self) -> None:
        outcome = self.check_now()
        if outcome is None or not outcome.okr_set.objectives[0].key_results:
            self.okr_app.say(
                "Give the outcome and at least one key result first", severity="warning"
            )
            return
        keep_draft(self, outcome, "New draft")

    def action_back(self) -> None:
        self.leave(self.dismiss)

    @work(group="leave", exit_on_error=False)
    async def leave(self, go: Callable[[], object]) -> None:
        """Run ``go``; asks first when answers typed into the form would be lost."""
        if not self.dirty:
            go()
            return
        await ask_to_discard(self, "the answers you typed", go)
