"""Personas as data: the built-in panel, users' own files, and located errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.errors import InputError, UsageError
from assistant.services.personas import builtin_personas, load_personas, select_personas

GOOD = """\
name: security-lead
display_name: Ivo (security lead)
role: Security lead
focus: What could leak, break or be abused.
tone: calm, precise
weights:
  KR-ACTIVITY: 2
  KR-NO-DEADLINE: 0
questions:
  - What is the worst thing that could happen if this goes wrong?
say:
  KR-ACTIVITY: "'{evidence}' — and how will we know it is safe once done?"
counterpoints:
  KR-NO-DEADLINE: "{other}, some hardening has no end date."
"""


def write_persona(home: Path, name: str, text: str) -> Path:
    folder = home / "personas"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_panel_has_the_five_default_reviewers_and_an_optional_sponsor() -> None:
    entries = builtin_personas()
    names = [e.persona.name for e in entries]
    assert names[:5] == [
        "finance-lead",
        "engineering-manager",
        "customer-advocate",
        "data-analyst",
        "new-team-member",
    ]
    assert "executive-sponsor" in names
    panel = [p.name for p in select_personas(None, None)]
    assert panel == names[:5]
    for entry in entries:
        p = entry.persona
        assert p.display_name and p.role and p.focus and p.tone and p.questions
        assert entry.origin == "built-in"
    analyst = next(e.persona for e in entries if e.persona.name == "data-analyst")
    assert "how will you measure it" in analyst.tone.lower()
    assert analyst.weight("KR-NO-BASELINE") == 3


def test_user_persona_is_listed_usable_and_can_replace_a_builtin(okr_home: Path) -> None:
    write_persona(okr_home, "security.yaml", GOOD)
    replaced = GOOD.replace("security-lead", "finance-lead").replace(
        "Ivo (security lead)", "My CFO"
    )
    write_persona(okr_home, "cfo.yml", replaced)
    entries = {e.persona.name: e for e in load_personas(okr_home / "personas")}
    assert entries["security-lead"].origin == "user"
    assert entries["finance-lead"].origin == "user" and entries["finance-lead"].overrides
    assert entries["finance-lead"].persona.display_name == "My CFO"
    panel = select_personas(["Security-Lead", "data-analyst"], okr_home / "personas")
    assert [p.name for p in panel] == ["security-lead", "data-analyst"]
    result = CliRunner().invoke(main, ["personas"])
    assert result.exit_code == 0
    assert "security-lead" in result.output and "user (replaces built-in)" in result.output
    listing = json.loads(CliRunner().invoke(main, ["personas", "--json"]).output)
    assert {"name": "security-lead", "origin": "user"}.items() <= listing[-1].items()
    detail = CliRunner().invoke(main, ["personas", "security-lead"])
    assert (
        "Reviewer id: security-lead" in detail.output
        and "Weighs most: KR-ACTIVITY" in detail.output
    )


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (
            ("tone: calm, precise\n", "tone: calm, precise\ncolour: red\n"),
            6,
            "colour: unknown field",
        ),
        (("  KR-NO-DEADLINE: 0\n", "  KR-NOPE: 1\n"), 8, "unknown rule code 'KR-NOPE'"),
        (("  KR-ACTIVITY: 2\n", "  KR-ACTIVITY: 9\n"), 7, "must be between 0 and 5"),
        (("name: security-lead\n", "name: Security Lead\n"), 1, "name: must be a slug id"),
        (("display_name: Ivo (security lead)\n", ""), None, "display_name: is required"),
        (("how will we know", "how will {who} know"), 12, "unknown placeholder {who}"),
        (("questions:\n", "questions: [oops\n"), 10, "invalid YAML"),
    ],
)
def test_bad_user_persona_is_a_located_error(
    okr_home: Path, change: tuple[str, str], line: int | None, message: str
) -> None:
    path = write_persona(okr_home, "bad.yaml", GOOD.replace(*change))
    with pytest.raises(InputError) as caught:
        load_personas(okr_home / "personas")
    text = str(caught.value)
    assert text.startswith(f"{path}:")
    assert message in text
    if line is not None:
        assert caught.value.line == line
    result = CliRunner().invoke(main, ["personas"])
    assert result.exit_code == 2
    assert result.output.startswith(f"{path}:")
    assert "Traceback" not in result.output


def test_two_user_files_with_one_name_are_refused(okr_home: Path) -> None:
    write_persona(okr_home, "a.yaml", GOOD)
    second = write_persona(okr_home, "b.yaml", GOOD)
    with pytest.raises(InputError, match="already defined in") as caught:
        load_personas(okr_home / "personas")
    assert str(caught.value).startswith(f"{second}:1:")


def test_unknown_persona_name_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown persona 'cfo'.*finance-lead"):
        select_personas(["cfo"], None)


def test_a_builtin_persona_file_is_a_starting_point_for_your_own(okr_home: Path) -> None:
    printed = CliRunner().invoke(main, ["personas", "data-analyst", "--yaml"])
    assert printed.exit_code == 0 and printed.stdout.startswith("# A reviewer for `okr review`")
    write_persona(okr_home, "empty.yaml", "")  # what `> file` leaves while it runs: skipped
    write_persona(
        okr_home, "mine.yaml", printed.stdout.replace("name: data-analyst", "name: my-analyst")
    )
    mine = {e.persona.name: e for e in load_personas(okr_home / "personas")}["my-analyst"]
    assert mine.origin == "user" and mine.persona.lenses == ["data_source"]
