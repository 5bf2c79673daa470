"""Item 1 and 2 of issue 11: no text from a file, a model or the store reaches the
terminal as a raw control character or as live Rich markup."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tui_pilot import screen_text, tui, wait_for

from assistant.app import bootstrap
from assistant.cli import main
from assistant.domain.text_safety import find_control, json_safe, safe_text
from assistant.errors import InputError
from assistant.io import read_path, read_text
from assistant.model import KeyResult, Objective, OKRSet
from assistant.render import render
from assistant.rubric.critic import critique_sets
from assistant.services import drafts
from assistant.store.store import Store

HERE = Path(__file__).parent

OSC52 = "\x1b]52;c;SGVsbG8=\x07"
OSC8 = "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"
TITLE = "\x1b]0;pwned\x07"
CSI = "\x9b2J"
BIDI = "\u202egnp.exe\u202c"
BACKSPACE = "paid\x08\x08\x08\x08free"
HOSTILE = [OSC52, OSC8, TITLE, CSI, BIDI, BACKSPACE, "\u2066iso\u2069", "del\x7f"]
MARKUP = ["[bold]x[/]", "[link=https://e.com]x[/link]"]
SGR = re.compile(r"\x1b\[[0-9;]*m")


def assert_terminal_safe(out: str) -> None:
    """Only Rich's own colour codes (SGR) may appear; nothing else a terminal acts on."""
    bare = SGR.sub("", out)
    at = find_control(bare)
    assert at is None, f"raw control {bare[at]!r} in {bare[max(0, at - 20) : at + 20]!r}"


@pytest.mark.parametrize("bad", HOSTILE)
def test_safe_text_shows_controls_as_visible_escapes(bad: str) -> None:
    shown = safe_text(f"a {bad} b")
    assert find_control(shown) is None
    assert "\\x" in shown or "\\u" in shown


def test_safe_text_keeps_tabs_newlines_and_unicode() -> None:
    text = "Ünïcode ✓ 日本\ttab\nline\r\n"
    assert safe_text(text) == text
    assert safe_text("a\rb") == "a\\rb"
    assert safe_text("\x1b[2J") == "\\x1b[2J"
    assert safe_text("\u202e") == "\\u202e"


def test_json_safe_is_lossless() -> None:
    import json

    data = {"t": "a\x9b\u202e\x7fz"}
    text = json_safe(json.dumps(data, ensure_ascii=False))
    assert find_control(text) is None
    assert json.loads(text) == data


# --- the reader boundary --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("osc52.yaml", "osc52.yaml:2: control character U+001B in objective title"),
        ("osc8.json", "osc8.json:1: control character U+001B in key result text"),
        ("title.md", "title.md:5: control character U+001B in key result text"),
        ("c1csi.md", "c1csi.md:3: control character U+009B in objective title"),
        ("backspace.csv", "backspace.csv:2: control character U+0008 in key result text"),
        ("bidi.yaml", "bidi.yaml:4: control character U+202E in key result text"),
    ],
)
def test_readers_refuse_control_characters(name: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        read_path(str(HERE / name))
    assert str(caught.value).endswith(message)


def test_yaml_escape_and_json_escape_are_refused_too() -> None:
    yaml_text = 'objectives:\n  - title: "Grow \\e[2J"\n    key_results: [Reach 10 customers]\n'
    with pytest.raises(InputError, match=r"x\.yaml:2: control character U\+001B"):
        read_text(yaml_text, "x.yaml")
    json_text = '{"name": "T\\u202e", "objectives": []}'
    with pytest.raises(InputError, match=r"control character U\+202E in set name"):
        read_text(json_text, "x.json")


def test_crlf_files_and_tabs_still_read() -> None:
    text = "objectives:\r\n  - title: Grow\trevenue\r\n    key_results: [Reach 10 customers]\r\n"
    assert read_text(text, "x.yaml")[0].objectives[0].title.startswith("Grow")


def test_okr_critique_exits_2_with_one_line() -> None:
    result = CliRunner().invoke(main, ["critique", str(HERE / "osc52.yaml")])
    assert result.exit_code == 2
    assert "control character U+001B in objective title" in result.output
    assert_terminal_safe(result.output)


# --- renderers: text from models and databases -----------------------------------------------


def hostile_set(extra: str = "") -> OKRSet:
    return OKRSet(
        name=f"Team {OSC8}{extra}",
        objectives=[
            Objective(
                title=f"Grow {OSC52} revenue {BIDI}",
                key_results=[
                    KeyResult(text=f"Reach {CSI} 10 {BACKSPACE} customers {TITLE}"),
                    KeyResult(text="Improve things [bold]x[/] [link=https://e.com]x[/link]"),
                ],
            )
        ],
    )


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
@pytest.mark.parametrize("color", [False, True])
def test_critique_renderers_escape_model_text(fmt: str, color: bool) -> None:
    report = critique_sets([hostile_set()])
    critique = report.sets[0]
    finding = critique.findings[0].model_copy(update={"message": f"LLM says {OSC52}{CSI}"})
    report = report.model_copy(
        update={"sets": [critique.model_copy(update={"findings": [finding]})]}
    )
    out = render(report, fmt, color=color, width=100)
    assert_terminal_safe(out)
    if fmt == "json":
        import json

        data = json.loads(out)  # lossless: the JSON still means the very text
        assert OSC52 in data["sets"][0]["findings"][0]["message"]
    else:
        assert "\\x1b]52;c;SGVsbG8=" in out


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
@pytest.mark.parametrize("color", [False, True])
def test_the_team_report_escapes_model_text(fmt: str, color: bool) -> None:
    from assistant.render.team_report import render_with_team
    from assistant.services.cross_checks import apply_cross

    sets = [hostile_set(), hostile_set(f" two {CSI}")]
    report, team = apply_cross(sets, critique_sets(sets))
    out = render_with_team(report, team, fmt, color=color, width=100)
    assert_terminal_safe(out)
    if fmt == "json":
        import json

        assert json.loads(out)["team"]["sets"][1]["name"] == sets[1].name  # lossless
    else:
        assert "\\x9b2J" in out


def test_a_coloured_report_keeps_its_colours_and_escapes_only_user_text() -> None:
    """``okr critique`` on a terminal: Rich's colour codes reach it as codes (they were
    once escaped a second time and showed as "\\x1b[1m")."""
    out = run("critique", str(HERE.parent.parent / "examples" / "weak.yaml"), "--color").output
    assert SGR.search(out) is not None
    assert "\\x1b[" not in out
    assert_terminal_safe(out)
    team = run("critique", str(HERE.parent.parent / "examples" / "team.yaml"), "--cross", "--color")
    assert SGR.search(team.output) is not None and "\\x1b[" not in team.output


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"COLUMNS": "400"})


@pytest.fixture
def stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A draft in the store whose name, text, messages and author are hostile."""
    monkeypatch.setenv("OKR_HOME", str(tmp_path / "home"))
    store = Store.in_home(tmp_path / "home")
    name = "evil [bold]x[/] [link=https://e.com]x[/link]"
    drafts.save(store, name, hostile_set(), f"first {OSC52} [bold]x[/]", author=f"Eve {TITLE}")
    drafts.save(
        store,
        name,
        hostile_set(" v2"),
        "[link=https://e.com]x[/link] second\u202e",
        author="[bold]Mallory[/]",
    )
    store.close()
    return name


def test_drafts_log_show_diff_print_everything_literally(stored: str) -> None:
    for args in (
        ("drafts",),
        ("log", stored),
        ("show", stored),
        ("show", f"{stored}@1"),
        ("diff", stored, "1", "2"),
        ("drafts", "--json"),
        ("log", stored, "--json"),
    ):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
        assert_terminal_safe(result.output)
    listing = run("drafts").output
    log = run("log", stored).output
    assert stored in listing
    assert "[link=https://e.com]x[/link] second\\u202e" in listing
    assert "[bold]Mallory[/]" in log
    assert "[link=https://e.com]x[/link] second" in log
    assert "first \\x1b]52;c;SGVsbG8=" in log


def test_deleted_listing_prints_markup_literally(stored: str) -> None:
    assert run("delete", stored, "--yes").exit_code == 0
    result = run("drafts", "--deleted")
    assert result.exit_code == 0, result.output
    assert "evil [bold]x[/]" in result.output
    assert_terminal_safe(result.output)


def test_guarded_console_in_colour_keeps_only_its_own_styles() -> None:
    from rich.table import Table

    from assistant.render.safe import safe_console

    buffer = io.StringIO()
    console = safe_console(file=buffer, force_terminal=True, color_system="standard", width=80)
    table = Table()
    table.add_column("x", style="bold")
    table.add_row(f"a{OSC52}b{CSI}")
    console.print(table)
    console.print(f"m {TITLE} {BIDI}", style="red")
    out = buffer.getvalue()
    assert "\x1b[" in out  # styled
    assert_terminal_safe(out)


# --- the TUI: every widget gets its text through tui.safe ----------------------------------


async def test_tui_widgets_show_escapes() -> None:
    """``tui.safe``: strings, Rich ``Text`` and inputs show controls as escapes and markup
    literally (no private function of Textual or Rich is patched)."""
    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.widgets import Label

    from tui.safe import SafeInput, SafeStatic, SafeTextArea, literal

    class Probe(App[None]):
        def compose(self) -> ComposeResult:
            yield SafeStatic(f"x{OSC52} [bold]b[/] {BIDI}")
            yield SafeStatic(Text.assemble(("y", "bold"), f"{CSI}{TITLE}"))
            yield Label(literal(f"z{OSC8}"))
            yield SafeInput(f"name {OSC52}")
            yield SafeTextArea(f"text: {CSI} {BIDI}\n")

    app = Probe()
    async with app.run_test() as pilot:
        area = app.query_one(SafeTextArea)
        area.insert(f"pasted {TITLE}")
        await pilot.pause()
        for widget in app.query(SafeStatic):
            line = "".join(s.text for s in widget.render_line(0))
            assert find_control(line) is None
            assert "\\x1b" in line or "\\x9b" in line
        assert "[bold]b[/]" in "".join(s.text for s in app.query(SafeStatic).first().render_line(0))
        assert find_control(app.query_one(Label).render_line(0).text) is None
        assert find_control(app.query_one(SafeInput).value) is None
        assert "\\x1b]52" in app.query_one(SafeInput).value
        assert find_control(area.text) is None and "\\x9b" in area.text and "\\x1b]0" in area.text
        shown = screen_text(app)
    assert_terminal_safe(shown)


@pytest.fixture
def hostile_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data home whose draft has a hostile name, text, messages and a hostile stored
    YAML text (the store may hold what a reader would refuse: an old version, a backup)."""
    home = tmp_path / "home"
    monkeypatch.setenv("OKR_HOME", str(home))
    store = Store.in_home(home)
    drafts.save(store, "evil", hostile_set(), f"first {OSC52} [bold]x[/]", author=f"Eve {TITLE}")
    drafts.save(store, "evil", hostile_set(" v2"), f"second {BIDI} {CSI}", author="Mallory")
    store.close()
    return home


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every notification the TUI shows (``App.notify``, the public way), as shown."""
    from textual.app import App

    notes: list[str] = []
    notify = App.notify

    def recording(self: App[object], message: str, *args: object, **kwargs: object) -> None:
        notes.append(str(message))
        notify(self, message, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(App, "notify", recording)
    return notes


def _assert_tui_safe(text: str) -> None:
    at = find_control(text)
    assert at is None, f"raw control {text[at]!r} on screen: {text[max(0, at - 30) : at + 30]!r}"


async def test_tui_shows_a_hostile_draft_escaped_everywhere(
    hostile_home: Path, said: list[str]
) -> None:
    """The drafts list, the title bar, the editor, the critique cards, the history and
    the diff of a draft whose stored text carries OSC 52, OSC 8, a C1 CSI and bidi
    overrides: what reaches the terminal has none of them, and shows their escapes."""
    from tui.screens.drafts import DraftsScreen
    from tui.screens.editor import EditorScreen
    from tui.screens.history import HistoryScreen

    core = bootstrap(hostile_home)
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await wait_for(pilot, lambda: "second" in screen_text(app), what="the drafts list")
        listing = screen_text(app)
        _assert_tui_safe(listing)
        assert "\\u202e" in listing  # the version message, escaped
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor = app.screen
        # The stored text holds what a reader refuses: the editor shows it escaped, and
        # the hint line says which character (the text does not parse until it goes).
        await wait_for(pilot, lambda: editor.hints.error is not None, what="the hint")
        assert "control character U+" in editor.hints.error
        _assert_tui_safe(editor.editor.text)
        assert "\\u202e" in editor.editor.text  # the bidi override, shown
        assert not editor.dirty  # shown escaped is not an edit
        _assert_tui_safe(screen_text(app))
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await wait_for(pilot, lambda: "second" in screen_text(app), what="the history")
        await wait_for(pilot, lambda: "Grow" in screen_text(app), what="the diff")
        _assert_tui_safe(screen_text(app))
        assert all(find_control(n) is None for n in said)
    core.close()


class _HostileCoach:
    """The LLM engine answering with hostile text (a model's answer is untrusted)."""

    name = "llm"

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    def make(self, kind: str, **options: object) -> _HostileCoach:
        return self

    async def critique(self, sets: list[OKRSet], *, on_result: object = None) -> object:
        from assistant.model import Finding, Report

        if self.fail:  # a server's error body, echoed in the error
            raise RuntimeError(f"server said {OSC52}{TITLE} bad gateway {BIDI}")
        (okr_set,) = sets
        base = critique_sets([okr_set]).sets[0]
        finding = Finding(
            code="LLM-EVIL",
            target="O1.KR1",
            dimension="clarity",
            severity="warning",
            evidence="Reach",
            message=f"Copy this {OSC52} and {OSC8} now {CSI}",
            question=f"Why {BIDI}?",
            suggestion=f"Do {TITLE} it",
            source="llm",
        )
        answer = base.model_copy(update={"engine": "llm", "findings": [*base.findings, finding]})
        return Report(engine="llm", sets=[answer])


@pytest.mark.parametrize("fail", [False, True])
async def test_tui_shows_model_answers_and_server_errors_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, said: list[str], fail: bool
) -> None:
    """ctrl+g: the model's findings (cards, hint) and a server's error (the notification)
    reach the terminal with their controls escaped."""
    from assistant.config import Settings
    from assistant.services import engines
    from tui.screens.editor import EditorScreen
    from tui.widgets.critique_panel import CritiquePanel

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy-key-0123456789")
    monkeypatch.setattr(engines, "make_critic", _HostileCoach(fail).make)
    core = bootstrap(tmp_path / "home", Settings(engine="llm"))
    drafts.save(
        core.store,
        "plain",
        OKRSet(
            name="Plain",
            objectives=[
                Objective(title="Grow revenue", key_results=[KeyResult(text="Reach 10 customers")])
            ],
        ),
        "first",
    )
    async with tui(core, target="plain") as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        panel = app.screen.query_one(CritiquePanel)
        await wait_for(pilot, lambda: panel.findings, what="rules cards")
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: any("coach" in n for n in said), what="answer")
        if not fail:
            await wait_for(pilot, lambda: any(f.code == "LLM-EVIL" for f in panel.findings))
            panel.query_one("#findings").focus()
            while panel.selected is None or panel.selected.finding.code != "LLM-EVIL":
                await pilot.press("down")
            await wait_for(pilot, lambda: "LLM-EVIL" in screen_text(app), what="the card")
            assert "\\x1b]52" in screen_text(app)
        else:
            assert any("\\x1b]52" in n for n in said)
        _assert_tui_safe(screen_text(app))
        assert all(find_control(n) is None for n in said)
    core.close()


async def test_tui_import_error_names_a_hostile_file_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, said: list[str]
) -> None:
    """A file name with controls in an error notification (``i`` on the drafts list)."""
    from textual.widgets import Input

    from tui.screens.dialogs import PromptDialog
    from tui.screens.drafts import DraftsScreen

    monkeypatch.setenv("OKR_HOME", str(tmp_path / "home"))
    core = bootstrap(tmp_path / "home")
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        dialog = app.screen
        dialog.query_one(Input).value = str(tmp_path / f"x{TITLE}{BIDI}.yaml")
        await pilot.press("enter")
        # The error is said in the dialog (which keeps the path to correct).
        problem = dialog.query_one("#problem")
        await wait_for(pilot, lambda: "pwned" in str(problem.render()), what="the error")
        assert "\\x1b]0;pwned" in str(problem.render())
        assert find_control(str(problem.render())) is None
        assert all(find_control(n) is None for n in said)
        _assert_tui_safe(screen_text(app))
    core.close()
