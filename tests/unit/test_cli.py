"""The ``okr`` command as a user runs it: output formats, exit codes, help, templates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import __version__
from assistant.cli import main
from assistant.io import read_path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def test_version_and_help() -> None:
    assert run("--version").output.strip().endswith(__version__)
    result = run("--help")
    assert result.exit_code == 0
    for command in ("critique", "init", "rubric", "explain", "examples"):
        assert command in result.output
    for command in ("critique", "init", "rubric", "explain", "examples"):
        help_text = run(command, "--help").output
        assert "Usage: main " + command in help_text or f"{command} [OPTIONS]" in help_text


def test_critique_json_follows_the_spec_shape() -> None:
    result = run("critique", str(EXAMPLES / "weak.yaml"), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["version"] == 1 and report["engine"] == "rules"
    (s,) = report["sets"]
    assert s["index"] == 1 and s["name"] == "Customer Success" and s["source"].endswith("weak.yaml")
    assert set(s["scores"]) == {"clarity", "measurability", "ambition", "overall"}
    first_kr = s["objectives"][0]["key_results"][0]
    assert first_kr["id"] == "O1.KR1" and first_kr["line"] == 9
    finding = s["findings"][0]
    for key in (
        "code",
        "target",
        "line",
        "dimension",
        "severity",
        "evidence",
        "message",
        "question",
        "suggestion",
        "source",
    ):
        assert key in finding
    assert report["summary"] == {
        "sets": 1,
        "objectives": 3,
        "key_results": 7,
        "findings": len(s["findings"]),
    }
    texts = {o["id"]: o["title"] for o in s["objectives"]} | {
        k["id"]: k["text"] for o in s["objectives"] for k in o["key_results"]
    }
    for f in s["findings"]:
        assert f["evidence"] in texts[f["target"]]


def test_critique_text_and_markdown_quote_the_user() -> None:
    text = run("critique", str(EXAMPLES / "weak.yaml")).output
    assert "KR-ACTIVITY" in text and "Launch the new onboarding flow" in text and "overall" in text
    md = run("critique", str(EXAMPLES / "weak.yaml"), "--format", "markdown").output
    assert md.startswith("# OKR critique") and "**Launch** the new onboarding flow" in md


def test_fail_under_exit_code() -> None:
    assert run("critique", str(EXAMPLES / "weak.yaml"), "--fail-under", "90").exit_code == 1
    assert run("critique", str(EXAMPLES / "strong.yaml"), "--fail-under", "90").exit_code == 0


def test_stdin_and_several_files() -> None:
    result = run(
        "critique",
        "-",
        str(EXAMPLES / "strong.yaml"),
        "--format",
        "json",
        input=(EXAMPLES / "weak.md").read_text(),
    )
    report = json.loads(result.output)
    assert [s["name"] for s in report["sets"]] == ["Marketing", "Growth team"]


def test_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("objectives:\n  - title: [oops\n")
    result = run("critique", str(bad))
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"{bad}:3: invalid YAML: ") and "','" in line
    missing = run("critique", str(tmp_path / "nope.yaml"))
    assert missing.exit_code == 2 and "nope.yaml: no such file" in missing.output


def test_error_lines_are_chosen_by_the_error_type_not_its_wording(tmp_path: Path) -> None:
    missing = tmp_path / "v1.2" / "nope.yaml"
    result = run("critique", str(missing))  # an InputError without a line: still its path
    assert result.exit_code == 2 and result.stderr.strip() == f"{missing}: no such file"
    # A usage error whose message starts with something that looks like a path or an id
    # still gets the "okr:" prefix (the old heuristic sniffed '.', '/' and ':').
    dotted = run("explain", "O1.KR2")
    assert dotted.exit_code == 2 and dotted.stderr.startswith("okr: unknown rule 'O1.KR2'")


def test_markup_in_okr_text_prints_literally(tmp_path: Path) -> None:
    path = tmp_path / "markup.yaml"
    path.write_text(
        "objectives:\n  - title: '[bold]Grow[/] [link=http://x]now[/link]'\n    key_results: ['Launch [red]it[/red]']\n"
    )
    out = run("critique", str(path), "--color").output
    assert "[bold]Grow[/]" in out and "[link=http://x]now[/link]" in out and "[red]it[/red]" in out


def test_init_writes_a_template_that_parses_and_teaches_the_form(tmp_path: Path) -> None:
    target = tmp_path / "mine.yaml"
    assert run("init", str(target)).exit_code == 0
    text = target.read_text()
    assert "I will [objective] as measured by [key results]" in text
    (okr_set,) = read_path(str(target))
    assert len(okr_set.objectives) == 2
    again = run("init", str(target))
    assert again.exit_code == 2 and "already exists" in again.output


def test_rubric_and_explain() -> None:
    listing = run("rubric").output
    assert "KR-NO-BASELINE" in listing and "SET-DUPLICATE" in listing
    rules = json.loads(run("rubric", "--json").output)
    set_codes = {r["code"] for r in rules if r["scope"] == "set"}
    # SPEC §4's 17 codes, and the placeholders left in a KR or an objective.
    assert {"KR-DIRECTION", "KR-OUTSIDE-CYCLE", "KR-TOO-LONG"} <= set_codes
    assert len(set_codes) == 19 and {"KR-PLACEHOLDER", "OBJ-PLACEHOLDER"} <= set_codes
    assert {"TEAM-CONFLICT", "TEAM-UNALIGNED", "TEAM-OWNER-LOAD"} <= {r["code"] for r in rules}
    assert "Teams pull the same metric" in run("explain", "team-conflict").output
    explained = run("explain", "kr-no-baseline").output
    assert "Why it matters" in explained and "Reach 50% week-1 activation" in explained
    unknown = run("explain", "NOPE")
    assert unknown.exit_code == 2 and "unknown rule 'NOPE'" in unknown.output


def test_examples_show_good_and_weak_with_commentary(tmp_path: Path) -> None:
    out = run("examples").output
    assert "[good]" in out and "[weak]" in out and "The coach finds:" in out
    assert run("examples", "--kind", "good", "--save", str(tmp_path)).exit_code == 0
    saved = sorted(p.name for p in tmp_path.iterdir())
    assert saved and all(name.startswith("good-") for name in saved)
    for path in tmp_path.iterdir():
        assert read_path(str(path))


@pytest.mark.parametrize(
    "argv", [["--help"], ["critique", "examples/weak.yaml", "--format", "json"]]
)
def test_fast_paths_do_not_import_openai_textual_or_asyncio(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from assistant.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('openai', 'textual', 'httpx', 'asyncio') if m in sys.modules]\n"
        "sys.stderr.write('HEAVY=' + ','.join(heavy))\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert "HEAVY=" in done.stderr
    assert done.stderr.rsplit("HEAVY=", 1)[1].strip() == ""
