"""Item 1 and 2 of issue 11: no text from a file, a model or the store reaches the
terminal as a raw control character or as live Rich markup."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant.cli import main
from assistant.domain.text_safety import find_control, json_safe, safe_text
from assistant.errors import InputError
from assistant.io import read_path, read_text
from assistant.model import KeyResult, Objective, OKRSet
from assistant.render import render
from assistant.rubric.critic import critique_sets
from assistant.services import drafts

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


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"COLUMNS": "400"})


@pytest.fixture
def stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A draft in the store whose name, text, messages and author are hostile."""
    monkeypatch.setenv("OKR_HOME", str(tmp_path / "home"))
    name = "evil [bold]x[/] [link=https://e.com]x[/link]"
    drafts.save(None, name, hostile_set(), f"first {OSC52} [bold]x[/]", author=f"Eve {TITLE}")
    drafts.save(
        None,
        name,
        hostile_set(" v2"),
        "[link=https://e.com]x[/link] second\u202e",
        author="[bold]Mallory[/]",
    )
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


async def test_tui_widgets_show_escapes() -> None:
    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.widgets import Label, Static

    from tui.terminal_safety import install

    install()

    class Probe(App[None]):
        def compose(self) -> ComposeResult:
            yield Static(f"x{OSC52} [bold]b[/] {BIDI}")
            yield Label(Text(f"y{CSI}{TITLE}"))

    app = Probe()
    async with app.run_test():
        for widget in app.query(Static):
            line = "".join(s.text for s in widget.render_line(0))
            assert find_control(line) is None
            assert "\\x1b" in line or "\\x9b" in line
