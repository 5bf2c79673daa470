"""The Textual app: draft, get coached, accept, see the history.

``create_app`` is the one factory used by ``okr tui`` and by the tests. It is given the
process's ``App`` (``assistant.app.bootstrap``): the screens await its use cases in
workers and render what comes back; the TUI never opens the store or asks a model
itself. Untrusted text reaches a widget only through ``tui.safe``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from assistant.config import Settings
from assistant.domain.commands import okr_command
from assistant.errors import OKRError, one_line
from assistant.io import read_text
from assistant.model import OKRSet
from tui.safe import shown
from tui.screens.base import Unsaved
from tui.screens.dialogs import PromptDialog
from tui.screens.drafts import DraftsScreen
from tui.screens.editor import EditorScreen

if TYPE_CHECKING:
    from assistant.app import App as Core


def template_set() -> OKRSet:
    """The draft template (rubrics/template.yaml) as a set."""
    text = resources.files("rubrics").joinpath("template.yaml").read_text(encoding="utf-8")
    okr_set = read_text(text, "template.yaml", "yaml")[0]
    okr_set.source = None
    return okr_set


class OKRApp(App[None]):
    """okr-coach's terminal UI, one face of ``core`` (the process's ``App``)."""

    CSS_PATH = "app.tcss"
    TITLE = "okr-coach"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True, show=False,
                tooltip="Quit (asks first when typed text would be lost)"),
        Binding("f1", "help", "Help", tooltip="Help: every key of the screen"),
        # ? is typed as text in the editor and in fields: f1 works there.
        Binding("question_mark", "help", "Help", show=False,
                tooltip="Help: every key of the screen"),
    ]  # fmt: skip

    def __init__(
        self, core: Core, *, target: str | None = None, config_home: Path | None = None
    ) -> None:
        super().__init__()
        self.core = core
        self.config_home = config_home
        self.target = target

    @property
    def settings(self) -> Settings:
        """The App's settings (the Settings screen replaces them when it saves)."""
        return self.core.settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        self.core.settings = settings

    # --- the coach ---------------------------------------------------------------------------

    def coach_unavailable(self) -> str | None:
        """Why the LLM coach cannot be asked now (None when it can): the engine the
        settings resolve to must be the LLM, and it needs a key."""
        if self.core.llm_ready():
            return None  # a key, or a local base_url: the CLI's rule
        if self.settings.engine == "rules":
            return "The engine is set to 'rules' (offline): change it in Settings to use the coach"
        return (
            "No OPENAI_API_KEY in the environment and no local base URL: the LLM coach is "
            "off (rules hints still work)"
        )

    def coach_label(self) -> str:
        return self.settings.llm.model

    # --- what reaches the terminal -----------------------------------------------------------

    def say(
        self, message: str, *, severity: str = "information", timeout: float | None = None
    ) -> None:
        """A notification: never read as markup, controls shown as escapes."""
        self.notify(shown(message), severity=severity, markup=False, timeout=timeout)  # type: ignore[arg-type]

    def failed(self, error: BaseException | None) -> None:
        """A worker that failed says why in one line; the app keeps running."""
        if error is not None:
            self.say(one_line(error), severity="error", timeout=8)

    def format_title(self, title: str, sub_title: str) -> Content:
        """The header's title: a draft's name is shown as typed, never as a control."""
        return super().format_title(shown(title), shown(sub_title))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.failed(event.worker.error)

    # --- lifecycle ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.push_screen(DraftsScreen())
        if self.target:
            self.open_draft(self.target)

    @work(group="open", exit_on_error=False)
    async def open_draft(self, name: str) -> None:
        """Open a stored draft in the editor (a notification when there is none)."""
        try:
            await self.core.summary(name)
        except OKRError as exc:
            self.say(str(exc), severity="error")
            return
        await self.push_screen(EditorScreen(name))

    async def name_check(self, keep: str | None = None) -> Callable[[str], str | None]:
        """The check of a name typed for a draft: free (no draft, deleted ones too, has it;
        ``keep``, a draft's own name, is allowed) and a valid name."""
        existing = {d.name for d in await self.core.drafts()} - {keep}
        deleted = {d.name for d in await self.core.drafts(deleted=True)}

        def check(value: str) -> str | None:
            if value in existing:
                return f"a draft named '{value}' exists already"
            if value in deleted:
                return (
                    f"a deleted draft is named '{value}' "
                    f"({okr_command('undelete', value)}); choose another name"
                )
            try:
                self.core.check_draft_name(value)
            except OKRError as exc:
                return str(exc)
            return None

        return check

    @work(group="create", exit_on_error=False)
    async def create_draft(
        self, okr_set: OKRSet, suggested: str, message: str, *, named: bool = False
    ) -> None:
        """Ask for a name, save ``okr_set`` as its v1 and open it in the editor (with
        ``named``, the set takes the draft's name: the template's "My team" is no name)."""
        check = await self.name_check()
        taken = {d.name for d in await self.core.drafts()}
        taken |= {d.name for d in await self.core.drafts(deleted=True)}
        name = suggested
        n = 2
        while name in taken:
            name = f"{suggested} ({n})"
            n += 1
        value = await self.push_screen_wait(
            PromptDialog("Name of the new draft", name, validate=check)
        )
        if value is None:
            return
        if named:
            okr_set.name = value
        try:
            await self.core.save(value, okr_set, message, source="import")
        except OKRError as exc:
            self.say(str(exc), severity="error")
            return
        self.refresh_drafts()
        from tui.screens.learn import LearnScreen

        if isinstance(self.screen, LearnScreen):
            self.pop_screen()
        await self.push_screen(EditorScreen(value))

    def new_from_template(self) -> None:
        self.create_draft(template_set(), "My OKRs", "New draft from the template", named=True)

    def refresh_drafts(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, DraftsScreen):
                screen.reload()

    def open_review(self, editor: EditorScreen) -> None:
        from tui.screens import review

        review.open_review(self, editor)

    # --- navigation actions (also in the command palette) -----------------------------------

    def action_help(self) -> None:
        """The help screen: every key of the screen on top (closes it when it is open)."""
        from tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(HelpScreen(self.screen))

    def action_learn(self) -> None:
        from tui.screens.learn import LearnScreen

        self.push_screen(LearnScreen())

    def action_settings(self) -> None:
        from tui.screens.settings import SettingsScreen

        self.push_screen(SettingsScreen())

    def action_drafts(self) -> None:
        def go() -> None:
            while len(self.screen_stack) > 2:
                self.pop_screen()

        screen = self._unsaved()
        if screen is not None:
            screen.leave(go)
        else:
            go()

    def _unsaved(self) -> Unsaved | None:
        """The screen whose typed text leaving would lose (an editor with unsaved edits, an
        idea or a guided form typed into): it asks before anything is thrown away."""
        for screen in self.screen_stack:
            if isinstance(screen, Unsaved) and screen.dirty:
                return screen
        return None

    async def action_quit(self) -> None:
        """Quit; asks first when a draft has unsaved edits or a typed idea would be lost."""
        screen = self._unsaved()
        if screen is None:
            self.exit()
            return
        if isinstance(self.screen, ModalScreen):
            return  # already asking
        screen.leave(self.exit)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Drafts", "Back to the list of drafts", self.action_drafts)
        yield SystemCommand("New draft", "Start a draft from the template", self.new_from_template)
        yield SystemCommand("Learn", "The OKR primer and good/weak examples", self.action_learn)
        yield SystemCommand(
            "Settings", "Engine, model, base URL, coaching style", self.action_settings
        )
        covered: set[str] = set()
        if isinstance(screen, DraftsScreen) and screen.check_action("import", ()):
            covered.add("import")
            yield SystemCommand(
                "Import a file", "Import an OKR file as a draft (key i)", screen.action_import
            )
        if isinstance(screen, EditorScreen):
            covered |= {"save", "coach", "history", "review", "add_kr", "add_objective"}
            yield SystemCommand(
                "Save version", "Save the text as a new version (ctrl+s)", screen.action_save
            )
            yield SystemCommand(
                "Ask the coach", "LLM critique of the text (ctrl+g)", screen.action_coach
            )
            yield SystemCommand(
                "History", "Versions, score trend, diff, restore (ctrl+r)", screen.action_history
            )
            yield SystemCommand(
                "Review", "Simulated peer review by personas (ctrl+t)", screen.action_review
            )
            yield SystemCommand(
                "Add key result", "Insert a key result line (ctrl+n)", screen.action_add_kr
            )
            yield SystemCommand(
                "Add objective", "Insert an objective (ctrl+o)", screen.action_add_objective
            )
        yield from self.key_commands(screen, covered)

    def key_commands(self, screen: Screen, covered: set[str]) -> Iterable[SystemCommand]:
        """Every key that acts on ``screen`` now, as a command (its description, its key
        and where it works): no key is known only to those who read the help."""
        seen = set(covered) | {"help", "quit", "command_palette"}
        for active in screen.active_bindings.values():
            binding = active.binding
            action = binding.action.removeprefix("app.").removeprefix("screen.")
            if not active.enabled or not binding.description or action in seen:
                continue
            seen.add(action)
            place = "" if active.node is self else f" · {_place(active.node)}"
            keys = self.get_key_display(binding)
            said = f"{binding.tooltip} · " if binding.tooltip else ""
            yield SystemCommand(
                binding.description,
                f"{said}key {keys}{place}",
                partial(self.run_action, binding.action, active.node),
            )


def _place(node: object) -> str:
    from tui.screens.help import place_of

    return place_of(node)


def create_app(core: Core, *, target: str | None = None, config_home: Path | None = None) -> OKRApp:
    """The TUI of ``core``, the process's ``App`` (``assistant.app.bootstrap``: its data
    home, settings, store and engines; tests build it with fakes).

    ``target`` is a draft to open at start; ``config_home`` is where the Settings screen
    reads and writes ``config.toml`` (None: the usual place, ``$OKR_HOME`` or the
    platform's config dir, as for every ``okr`` command).
    """
    return OKRApp(core, target=target, config_home=config_home)
