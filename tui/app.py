"""The Textual app: draft, get coached, accept, see the history.

``create_app`` is the one factory used by ``okr tui`` and by the tests. The app
holds no business logic: it calls ``assistant.services`` and renders the results.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from assistant.config import Settings, load_settings
from assistant.errors import OKRError, UsageError
from assistant.io import read_text
from assistant.model import OKRSet
from assistant.services import drafts
from assistant.services.engines import Critic, has_credentials, make_critic, resolve_engine
from tui.screens.dialogs import PromptDialog, UnsavedDialog
from tui.screens.drafts import DraftsScreen
from tui.screens.editor import EditorScreen
from tui.screens.review import Reviewer


def template_set() -> OKRSet:
    """The draft template (rubrics/template.yaml) as a set."""
    text = resources.files("rubrics").joinpath("template.yaml").read_text(encoding="utf-8")
    okr_set = read_text(text, "template.yaml", "yaml")[0]
    okr_set.source = None
    return okr_set


def resolve_target(home: Path, target: str) -> str | None:
    """``okr tui FILE|DRAFT``: the draft to open. A file is imported first (a new
    version only when its content changed); a file with several sets opens the list."""
    path = Path(target).expanduser()
    if path.is_file():
        imported = drafts.import_path(home, str(path))
        return imported[0].name if len(imported) == 1 else None
    name, _ = drafts.parse_ref(target)
    if any(d.name == name for d in drafts.list_drafts(home)):
        return name
    raise UsageError(f"{target}: no such file or draft (see `okr drafts`)")


class OKRApp(App[None]):
    """okr-coach's terminal UI."""

    CSS_PATH = "app.tcss"
    TITLE = "okr-coach"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True, show=False),
        Binding("f1", "help", "Help"),
        Binding("question_mark", "help", "Help", show=False),  # typed as text in the editor
    ]

    def __init__(
        self,
        home: Path,
        *,
        engine: Critic | None = None,
        settings: Settings | None = None,
        target: str | None = None,
        reviewer: Reviewer | None = None,
        config_home: Path | None = None,
    ) -> None:
        from tui.terminal_safety import install

        install()  # no stored or model text reaches the terminal as a raw control character
        super().__init__()
        self.home = home
        self.config_home = config_home
        self.settings = settings or load_settings(config_home)
        self._engine = engine
        self._injected = engine is not None
        self.target = target
        self.reviewer = reviewer

    # --- services ----------------------------------------------------------------------------

    def coach(self) -> Critic:
        """The critic ctrl+g asks: the injected one, else the LLM coach built from the
        settings as they are now (the Settings screen may have changed model or style)."""
        if self._engine is not None:
            return self._engine
        return make_critic("llm", settings=self.settings, home=self.home, style=self.settings.style)

    def coach_unavailable(self) -> str | None:
        """Why the LLM coach cannot be asked now (None when it can): the engine the
        settings resolve to must be the LLM, and it needs a key."""
        if self._injected:
            return None
        if resolve_engine(None, self.settings) == "llm" and has_credentials(self.settings):
            return None  # a key, or a local base_url: the CLI's rule
        if self.settings.engine == "rules":
            return "The engine is set to 'rules' (offline): change it in Settings to use the coach"
        return (
            "No OPENAI_API_KEY in the environment and no local base URL: the LLM coach is "
            "off (rules hints still work)"
        )

    def coach_label(self) -> str:
        return "custom engine" if self._injected else self.settings.llm.model

    def say(
        self, message: str, *, severity: str = "information", timeout: float | None = None
    ) -> None:
        """A notification; user text inside it is never read as markup."""
        self.notify(message, severity=severity, markup=False, timeout=timeout)  # type: ignore[arg-type]

    # --- lifecycle ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.push_screen(DraftsScreen())
        if self.target:
            self.open_draft(self.target)

    def open_draft(self, name: str) -> None:
        try:
            drafts.draft_summary(self.home, name)
        except OKRError as exc:
            self.say(str(exc), severity="error")
            return
        self.push_screen(EditorScreen(name))

    def create_draft(
        self, okr_set: OKRSet, suggested: str, message: str, *, named: bool = False
    ) -> None:
        """Ask for a name, save ``okr_set`` as its v1 and open it in the editor (with
        ``named``, the set takes the draft's name: the template's "My team" is no name)."""
        existing = {d.name for d in drafts.list_drafts(self.home)}
        deleted = {d.name for d in drafts.list_drafts(self.home, deleted=True)}
        name = suggested
        n = 2
        while name in existing or name in deleted:
            name = f"{suggested} ({n})"
            n += 1

        def check(value: str) -> str | None:
            if value in existing:
                return f"a draft named '{value}' exists already"
            if value in deleted:
                return (
                    f"a deleted draft is named '{value}' "
                    f"(okr undelete {shlex.quote(value)}); choose another name"
                )
            try:
                drafts.check_name(value)
            except OKRError as exc:
                return str(exc)
            return None

        def chosen(value: str | None) -> None:
            if value is None:
                return
            if named:
                okr_set.name = value
            try:
                drafts.save(self.home, value, okr_set, message, source="import")
            except OKRError as exc:
                self.say(str(exc), severity="error")
                return
            self.refresh_drafts()
            from tui.screens.learn import LearnScreen

            if isinstance(self.screen, LearnScreen):
                self.pop_screen()
            self.push_screen(EditorScreen(value))

        self.push_screen(PromptDialog("Name of the new draft", name, validate=check), chosen)

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

        editor = self._dirty_editor()
        if editor is not None:
            editor.leave(go)
        else:
            go()

    def _dirty_editor(self) -> EditorScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, EditorScreen) and screen.dirty:
                return screen
        return None

    async def action_quit(self) -> None:
        """Quit; asks first when a draft has unsaved edits."""
        editor = self._dirty_editor()
        if editor is None:
            self.exit()
            return
        if isinstance(self.screen, UnsavedDialog):
            return
        editor.leave(self.exit)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Drafts", "Back to the list of drafts", self.action_drafts)
        yield SystemCommand("New draft", "Start a draft from the template", self.new_from_template)
        yield SystemCommand("Learn", "The OKR primer and good/weak examples", self.action_learn)
        yield SystemCommand(
            "Settings", "Engine, model, base URL, coaching style", self.action_settings
        )
        if isinstance(screen, DraftsScreen):
            yield SystemCommand(
                "Import a file", "Import an OKR file as a draft", screen.action_import
            )
        if isinstance(screen, EditorScreen):
            yield SystemCommand(
                "Save version", "Save the text as a new version", screen.action_save
            )
            yield SystemCommand("Ask the coach", "LLM critique of the text", screen.action_coach)
            yield SystemCommand(
                "History", "Versions, score trend, diff, restore", screen.action_history
            )
            yield SystemCommand("Review", "Simulated peer review by personas", screen.action_review)
            yield SystemCommand("Add key result", "Insert a key result line", screen.action_add_kr)
            yield SystemCommand("Add objective", "Insert an objective", screen.action_add_objective)


def create_app(
    home: Path,
    *,
    engine: Critic | None = None,
    settings: Settings | None = None,
    target: str | None = None,
    reviewer: Reviewer | None = None,
    config_home: Path | None = None,
) -> OKRApp:
    """The app for data home ``home``.

    ``engine`` is the coach asked on ctrl+g, any ``assistant.services.engines.Critic``
    (default: ``LLMCritic`` for the configured OpenAI-compatible model and style);
    ``settings`` overrides the config file; ``target`` is a draft to open at start;
    ``reviewer`` replaces the peer-review service, ``async (okr_set, settings, home,
    progress) -> Review`` (default: ``assistant.services.review`` with the configured
    engine); ``config_home`` is where
    the Settings screen reads and writes ``config.toml`` (None: the usual place,
    ``$OKR_HOME`` or the XDG config dir, as for every ``okr`` command).
    """
    return OKRApp(
        home,
        engine=engine,
        settings=settings,
        target=target,
        reviewer=reviewer,
        config_home=config_home,
    )
