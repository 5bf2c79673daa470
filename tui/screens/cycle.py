"""The Cycle screen: where a draft's open cycle stands, check in a KR, grade, look back.

Progress bars against expected and a sparkline per KR, from the same cycle use cases
of the App the CLI uses (SPEC §7), awaited in workers. Fits 80×24: one table row per KR, the
highlighted KR's details below it. Keys: c check in · g grade · r retro · l launch.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Footer, Header, Input

from assistant.domain.cycle import FLAG_TEXT, ValueProblem, format_value, read_value
from assistant.domain.cycle_status import CheckinInput, CycleStatus, KRStatus
from assistant.domain.lessons import RetroNotes
from assistant.errors import OKRError
from assistant.render.status import (
    STATUS_STYLE,
    bar,
    clean,
    grade_text,
    headline,
    journey,
    pct,
    sparkline,
    stale_line,
    trend,
)
from tui.safe import SafeInput, literal
from tui.safe import SafeStatic as Static
from tui.screens.base import OKRScreen
from tui.screens.dialogs import ConfirmDialog, FormDialog, PromptDialog

_GRADE_STYLE = {"red": "bold red", "yellow": "bold yellow", "green": "bold green"}


class CheckinDialog(FormDialog[CheckinInput | None]):
    """Value, confidence 0–10 and a note for one KR; the value is checked in its unit
    before the dialog closes. Enter moves on and submits from the last field."""

    LAST_FIELD = "note"

    def __init__(self, kr: KRStatus) -> None:
        super().__init__(classes="dialog-screen")
        self.kr = kr

    def compose(self) -> ComposeResult:
        t = self.kr.track
        last = "none" if self.kr.value is None else format_value(self.kr.value, t.unit)
        hint = "0–1 or done" if t.mode == "fraction" else f"in {t.unit or 'the KR’s unit'}"
        with Vertical(classes="dialog wide"):
            yield Static(Text.assemble((f"{t.id} ", "bold"), clean(t.text)), classes="dialog-text")
            yield Static(Text(f"last {last} · progress {pct(self.kr.progress)}", style="dim"))
            yield SafeInput(placeholder=f"value ({hint})", id="value")
            yield SafeInput(
                value="" if self.kr.confidence is None else str(self.kr.confidence),
                placeholder="confidence 0–10",
                id="confidence",
            )
            yield SafeInput(placeholder="note (optional)", id="note")
            yield Static("", id="checkin-problem", classes="dialog-problem")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Check in", variant="primary", id="ok", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#value", Input).focus()

    def _problem(self, text: str) -> None:
        self.query_one("#checkin-problem", Static).update(Text(text, style="red"))

    def _submit(self) -> None:
        value = self.query_one("#value", Input).value.strip()
        raw_conf = self.query_one("#confidence", Input).value.strip()
        note = self.query_one("#note", Input).value.strip()
        try:
            read_value(self.kr.track, value)
        except ValueProblem as exc:
            self._problem(str(exc))
            return
        confidence = None
        if raw_conf:
            if not raw_conf.isdigit() or not 0 <= int(raw_conf) <= 10:
                self._problem("confidence is a whole number 0–10")
                return
            confidence = int(raw_conf)
        self.dismiss(CheckinInput(self.kr.track.id, value, confidence, note))


class RetroDialog(FormDialog[RetroNotes | None]):
    """The three questions (``(key, question)``, the App's); ';' separates several
    answers to one question."""

    LAST_FIELD = "change"

    def __init__(self, questions: tuple[tuple[str, str], ...]) -> None:
        super().__init__(classes="dialog-screen")
        self.questions = questions

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(Text("Retrospective (';' separates answers)", style="bold"))
            for key, question in self.questions:
                yield SafeInput(placeholder=question, id=key)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="ok", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#went_well", Input).focus()

    def _submit(self) -> None:
        answers = []
        for key, _ in self.questions:
            text = self.query_one(f"#{key}", Input).value
            answers.append(tuple(a for a in (" ".join(p.split()) for p in text.split(";")) if a))
        self.dismiss(RetroNotes(*answers))


class CycleScreen(OKRScreen[None]):
    """The draft's open cycle (else its last graded one), KR by KR."""

    DEFAULT_CSS = """
    CycleScreen #cycle-head { height: auto; padding: 0 1; }
    CycleScreen #cycle-krs { height: 1fr; }
    CycleScreen #cycle-detail-scroll { height: 7; border-top: solid $panel; padding: 0 1; }
    """
    BINDINGS = [
        Binding("c", "checkin", "Check in"),
        Binding("g", "grade", "Grade"),
        Binding("r", "retro", "Retro"),
        Binding("l", "launch", "Launch"),
        Binding("escape,q", "back", "Back"),
    ]

    def __init__(self, draft: str, *, today: date | None = None) -> None:
        super().__init__()
        self.draft = draft
        self.today = today
        self.status: CycleStatus | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="cycle-body"):
            yield Static("", id="cycle-head")
            yield DataTable(id="cycle-krs", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="cycle-detail-scroll"):
                yield Static("", id="cycle-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "okr-coach"
        self.sub_title = f"{self.draft} · cycle"
        table = self.query_one(DataTable)
        for label in ("KR", "progress", "exp", "conf", "trend", "status", "key result"):
            table.add_column(label, key=label)
        self.reload()
        table.focus()

    def on_screen_resume(self) -> None:
        self.reload()

    @work(exclusive=True, group="cycle", exit_on_error=False)
    async def reload(self) -> None:
        """Re-read the cycle from the store (keeps the highlighted row)."""
        try:
            status = await self.core.status(self.draft, self.today)
        except OKRError as exc:
            self.status = None
            self.query_one(DataTable).clear()
            self.query_one("#cycle-head", Static).update(
                Text.assemble(literal(str(exc)), "\n", ("l", "bold cyan"), "  launch this draft")
            )
            self._detail(None)
            return
        self.show_status(status)

    def show_status(self, status: CycleStatus) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        self.status = status
        graded = status.cycle.state == "graded"
        head = literal(headline(status), "bold")
        head.append(f"\nset progress {pct(status.progress)} · ")
        if graded:
            head.append(f"grade {grade_text(status.grade)}", _grade_style(status.grade))
        else:
            head.append(status.status, STATUS_STYLE[status.status])
            head.append(f" · expected now {pct(_expected_now(status))}", "dim")
        self.query_one("#cycle-head", Static).update(head)
        table.clear()
        for kr in status.key_results:
            last = (
                Text(grade_text(kr.grade), style=_grade_style(kr.grade))
                if graded
                else Text(kr.status + (" ⌛" if kr.stale else ""), style=STATUS_STYLE[kr.status])
            )
            conf = "–" if kr.confidence is None else f"{kr.confidence} {trend(kr.confidence_trend)}"
            table.add_row(
                literal(kr.track.id),
                Text.assemble(
                    (
                        bar(kr.progress, None if graded else kr.expected_now, 8),
                        STATUS_STYLE[kr.status],
                    ),
                    f" {pct(kr.progress):>4}",
                ),
                literal(pct(kr.expected)),
                literal(conf),
                literal(sparkline(kr, 8)),
                last,
                Text(clean(kr.track.text), no_wrap=True, overflow="ellipsis"),
                key=kr.track.id,
            )
        if row is not None and status.key_results:
            table.move_cursor(row=min(row, len(status.key_results) - 1))
        self._detail(self.selected())

    def selected(self) -> KRStatus | None:
        if self.status is None or not self.status.key_results:
            return None
        row = self.query_one(DataTable).cursor_row
        if row is None or not 0 <= row < len(self.status.key_results):
            return None
        return self.status.key_results[row]

    @on(DataTable.RowHighlighted, "#cycle-krs")
    def _highlighted(self) -> None:
        self._detail(self.selected())

    def _detail(self, kr: KRStatus | None) -> None:
        detail = self.query_one("#cycle-detail", Static)
        if kr is None:
            note = stale_line(self.status) if self.status else None
            detail.update(Text(note or "", style="yellow"))
            return
        text = Text.assemble((f"{kr.track.id} ", "bold"), clean(kr.track.text), "\n")
        text.append(f"{journey(kr)} · progress {pct(kr.progress)} (expected {pct(kr.expected)})")
        text.append(f" · {kr.days_checked_in} check-in day(s)", "dim")
        if kr.latest is not None and kr.latest.note:
            text.append(f"\nlast note ({kr.latest.on}): {clean(kr.latest.note)}", "italic")
        if kr.stale:
            text.append("\nnot updated for 14+ days", "yellow")
        for flag in kr.flags:
            text.append(f"\n⚑ {FLAG_TEXT.get(flag, flag)}", "magenta")
        detail.update(text)

    def _open(self) -> bool:
        if self.status is None or self.status.cycle.state != "open":
            self.okr_app.say("No open cycle: press l to launch one", severity="warning")
            return False
        return True

    @work(group="checkin", exit_on_error=False)
    async def action_checkin(self) -> None:
        kr = self.selected()
        if not self._open() or kr is None:
            return
        item = await self.app.push_screen_wait(CheckinDialog(kr))
        if item is None:
            return
        try:
            await self.core.checkin(self.draft, [item], source="tui")
        except OKRError as exc:
            self.okr_app.say(str(exc), severity="error", timeout=8)
            return
        self.okr_app.say(f"Checked in {item.kr}")
        self.reload()

    @work(group="grade", exit_on_error=False)
    async def action_grade(self) -> None:
        status = self.status
        if status is None or not self._open():
            return
        today = self.today or self.core.today()
        early = today < status.cycle.end
        question = Text.assemble(
            "Grade and close ", literal(self.draft, "bold"), "'s cycle? No check-ins after that."
        )
        if early:
            question.append(f" It runs until {status.cycle.end}: this closes it early.")
        if not await self.app.push_screen_wait(ConfirmDialog(question, yes="Grade")):
            return
        try:
            result = (await self.core.grade(self.draft, early=early)).status
        except OKRError as exc:
            self.okr_app.say(str(exc), severity="error", timeout=8)
            return
        self.okr_app.say(
            f"Graded {result.cycle.label}: {grade_text(result.grade)} — r for the retro"
        )
        self.reload()

    @work(group="retro", exit_on_error=False)
    async def action_retro(self) -> None:
        if self.status is None or self.status.cycle.state != "graded":
            self.okr_app.say("Grade the cycle first (g)", severity="warning")
            return
        notes = await self.app.push_screen_wait(RetroDialog(self.core.retro_questions()))
        if notes is None:
            return
        if notes.empty:
            self.okr_app.say("No answers: nothing was stored", severity="warning")
            return
        try:
            stored = await self.core.retro(self.draft, notes)
        except OKRError as exc:
            self.okr_app.say(str(exc), severity="error", timeout=8)
            return
        lessons = "; ".join(lesson.message for lesson in stored.lessons) or "no lessons"
        self.okr_app.say(f"Retro saved. {lessons}", timeout=12)

    @work(group="launch", exit_on_error=False)
    async def action_launch(self) -> None:
        if self.status is not None and self.status.cycle.state == "open":
            self.okr_app.say("This draft already has an open cycle", severity="warning")
            return
        label: str | None = None
        while True:
            try:
                outcome = await self.core.launch(self.draft, label=label)
                break
            except OKRError as exc:
                if label is None and str(exc).startswith("no cycle"):
                    label = await self.app.push_screen_wait(
                        PromptDialog(
                            "Cycle to launch for", placeholder="2026-Q1, 2026-H2, 2026, 2026-03"
                        )
                    )
                    if label:
                        continue
                    return
                self.okr_app.say(str(exc), severity="error", timeout=8)
                return
        if outcome.cycle is not None:
            means = self.core.launch_means()
            self.okr_app.say(
                f"Launched v{outcome.version} for {outcome.cycle.label}. {means}", timeout=12
            )
        self.reload()

    def action_back(self) -> None:
        self.dismiss(None)


def _expected_now(status: CycleStatus) -> float | None:
    return status.key_results[0].expected_now if status.key_results else None


def _grade_style(grade: float | None) -> str:
    from assistant.domain.cycle import grade_colour

    return _GRADE_STYLE.get(grade_colour(grade) or "", "grey50")
