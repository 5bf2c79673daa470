"""Issue 15 item 1: a version keeps the text as written (comments, layout) next to its
canonical content; save, show, export, import, accept and doctor all keep it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant.cli import main
from assistant.errors import InputError
from assistant.io import read_text
from assistant.model import Finding, Rewrite
from assistant.services import drafts
from assistant.store.repo import canonical_json
from assistant.store.store import Store

TEXT = """# Growth plan, draft for the offsite
name: Growth
cycle: 2026-Q1
objectives:
  # the one that matters
  - title: Make onboarding effortless
    key_results:
      - Improve activation   # vague: fix before Friday
      - Cut time-to-first-dashboard from 3 days to 1 day
"""


def _set(text: str = TEXT):
    return read_text(text, "growth.yaml", "yaml")[0]


_opened: list[Store] = []


def at(home: Path) -> Store:
    """The store of a data home (closed when the test ends)."""
    store = Store.in_home(home)
    _opened.append(store)
    return store


@pytest.fixture(autouse=True)
def _close_stores() -> Iterator[None]:
    yield
    while _opened:
        _opened.pop().close()


def _save(home: Path, text: str = TEXT, message: str = "first"):
    return drafts.save(at(home), "Growth", _set(text), message, author="t", text=text)


def _finding(target: str, evidence: str, rewrite: str) -> Finding:
    return Finding(
        code="KR-NO-NUMBER",
        target=target,
        dimension="measurability",
        severity="warning",
        evidence=evidence,
        message="no number",
        question="how much?",
        suggestion="add a number",
        rewrite=Rewrite(text=rewrite),
    )


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OKR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OKR_AUTHOR", "Ana")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "home"


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


def test_a_version_keeps_its_text_and_the_hash_covers_the_content(home: Path) -> None:
    result = _save(home)
    version = drafts.get_version(at(home), "Growth")
    assert version.text == TEXT and version.text_format == "yaml"
    assert canonical_json(version.okr_set.content()) == canonical_json(_set().content())
    # The chain hash is that of the content alone: the same content saved without any
    # text elsewhere has the same first hash.
    other = drafts.save(at(home / "other"), "Growth", _set(), "first", author="t")
    assert other.version.hash == result.version.hash
    assert "text" not in version.model_dump()  # listings and --json keep their shape


def test_a_comment_only_edit_is_a_version_and_identical_text_is_not(home: Path) -> None:
    _save(home)
    assert not _save(home, message="again").created
    edited = TEXT.replace("vague: fix before Friday", "vague: fix on Monday")
    result = _save(home, edited, "Reword a comment")
    assert result.created and result.version.number == 2
    assert result.version.message == "Reword a comment"
    assert drafts.get_version(at(home), "Growth").text == edited
    # Layout only (an indent, a blank line) counts too; trailing blank lines do not.
    relaid = edited.replace("cycle: 2026-Q1\n", "cycle: 2026-Q1\n\n")
    assert _save(home, relaid, "Air").created
    assert not _save(home, relaid + "\n\n", "Only blank lines").created
    # No text given: the content is what counts, as before.
    assert not drafts.save(at(home), "Growth", _set(), "no text", author="t").created


def test_text_that_disagrees_with_the_content_is_never_stored(home: Path) -> None:
    other = TEXT.replace("Improve activation", "Improve retention")
    result = drafts.save(at(home), "Growth", _set(), "first", author="t", text=other)
    assert result.created
    version = drafts.get_version(at(home), "Growth")
    assert version.text is None
    assert version.okr_set.objectives[0].key_results[0].text == "Improve activation"
    # Not a YAML/Markdown text (JSON keeps no comments), or not one set: not kept either.
    assert drafts.save(at(home), "J", _set(), "m", text="{}", text_format="json").created
    assert drafts.get_version(at(home), "J").text is None


def test_okr_show_prints_the_text_after_its_header_and_round_trips(home: Path) -> None:
    Path("growth.yaml").write_text(TEXT)
    assert run("save", "growth.yaml", "-m", "First").exit_code == 0
    shown = run("show", "Growth")
    assert shown.exit_code == 0
    header, _, body = shown.stdout.partition("\n")
    assert header.startswith("# Growth v1 (") and body == TEXT
    # The output is a valid OKR file of the same content; saving it back adds nothing.
    assert canonical_json(read_text(shown.stdout, "x.yaml", "yaml")[0].content()) == (
        canonical_json(_set().content())
    )
    again = run("save", "-", "--draft", "Growth", "-m", "Round trip", input=shown.stdout)
    assert again.exit_code == 0 and "Nothing changed" in again.stdout
    # A comment edit through the CLI is a new version, and show prints it.
    Path("growth.yaml").write_text(TEXT.replace("# the one", "# still the one"))
    assert "Saved Growth v2" in run("save", "growth.yaml", "-m", "Comment").stdout
    assert "# still the one that matters" in run("show", "Growth").stdout
    assert "# the one that matters" in run("show", "Growth@1").stdout


def test_show_without_stored_text_prints_canonical_yaml(home: Path) -> None:
    drafts.save(at(home), "Growth", _set(), "first", author="t")
    shown = run("show", "Growth").stdout
    assert "#" not in shown.split("\n", 1)[1]
    assert "name: Growth" in shown


def test_a_text_without_a_name_is_stored_naming_its_set(home: Path) -> None:
    unnamed = "# mine\nobjectives:\n  - title: Grow\n    key_results:\n      - Reach 10 customers\n"
    Path("team.yaml").write_text(unnamed)
    assert run("save", "team.yaml", "-m", "First").exit_code == 0
    body = run("show", "team").stdout.split("\n", 1)[1]
    assert body.startswith('# mine\nname: "team"\nobjectives:')
    # Read back from stdin (where the set would be named "stdin") it is the same set.
    again = run("save", "-", "--draft", "team", "-m", "Again", input=body)
    assert "Nothing changed" in again.stdout


def test_show_sanitises_the_stored_text(home: Path) -> None:
    text = TEXT.replace("# vague", "# vague \u202e reversed")
    _save(home, text)
    out = run("show", "Growth").stdout
    assert "\u202e" not in out and "\\u202e" in out


def test_import_of_a_yaml_file_keeps_its_text(home: Path) -> None:
    Path("growth.yaml").write_text(TEXT)
    assert run("import", "growth.yaml").exit_code == 0
    assert drafts.get_version(at(home), "Growth").text == TEXT
    markdown = "# Growth\n\n## Make onboarding effortless\n\n- Improve activation\n"
    Path("plan.md").write_text(markdown)
    assert run("import", "plan.md", "--draft", "Plan").exit_code == 0
    version = drafts.get_version(at(home), "Plan")
    assert version.text == markdown and version.text_format == "markdown"
    assert drafts.export_version(at(home), "Plan", fmt="md") == markdown
    assert "#" not in drafts.export_version(at(home), "Plan", fmt="yaml").split("\n", 1)[1]


def test_backups_carry_the_text_and_old_backups_still_import(home: Path, tmp_path: Path) -> None:
    _save(home)
    _save(home, TEXT.replace("offsite", "board"), "Comment")
    drafts.save(at(home), "Growth", _set(TEXT.replace("activation", "retention")), "No text")
    backup = tmp_path / "b"
    drafts.export_all(at(home), backup)
    document = json.loads((backup / "growth.json").read_text())
    assert [v.get("text") is not None for v in document["versions"]] == [True, True, False]
    fresh = tmp_path / "fresh"
    drafts.import_path(at(fresh), str(backup))
    assert drafts.get_version(at(fresh), "Growth", 2).text == TEXT.replace("offsite", "board")
    assert drafts.get_version(at(fresh), "Growth", 3).text is None
    assert drafts.doctor(at(fresh)).ok
    assert drafts.export_version(at(fresh), "Growth", 1) == TEXT

    # A backup written before versions kept text (hash version 2, no text) imports.
    document["format_version"] = 1  # (format 2 carries only the current hash version)
    for entry in document["versions"]:
        entry.pop("text", None)
        entry.pop("text_format", None)
        entry["hash_version"] = 1
        entry.pop("meta_hash", None)
    old = tmp_path / "old.json"
    old.write_text(json.dumps(document))
    older = tmp_path / "older"
    drafts.import_path(at(older), str(old))
    assert drafts.get_version(at(older), "Growth", 1).text is None
    assert drafts.doctor(at(older)).ok


@pytest.mark.parametrize(
    ("edit", "error"),
    [
        (lambda t: t.replace("Improve activation", "Improve retention"), "does not parse to"),
        (lambda t: t.replace("vague", "clear"), "or stored text do not match"),
    ],
)
def test_import_refuses_a_backup_whose_text_was_edited(
    home: Path, tmp_path: Path, edit, error: str
) -> None:
    _save(home)
    drafts.export_all(at(home), tmp_path / "b")
    path = tmp_path / "b" / "growth.json"
    document = json.loads(path.read_text())
    document["versions"][0]["text"] = edit(document["versions"][0]["text"])
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match=error):
        drafts.import_path(at(tmp_path / "fresh"), str(tmp_path / "b"))
    assert drafts.list_drafts(at(tmp_path / "fresh")) == []


def test_doctor_flags_a_stored_text_that_no_longer_matches(home: Path) -> None:
    _save(home)
    _save(home, TEXT.replace("offsite", "board"), "Comment")
    assert drafts.doctor(at(home)).ok
    with at(home).unit_of_work() as uow:
        uow.conn.execute("DROP TRIGGER versions_no_update")
        uow.conn.execute(
            "UPDATE versions SET source_text = replace(source_text, 'Cut', 'Grow') WHERE number = 1"
        )
    problems = drafts.doctor(at(home)).problems
    assert problems == [
        "draft 'Growth' v1: message, author, source, time, scores or stored text do not "
        "match the version's hash (modified after saving)",
        "draft 'Growth' v1: stored text does not parse to the version's content",
    ]
    # Rows whose hash does not cover the text (hash version 1) are parsed again too.
    with at(home).unit_of_work() as uow:
        uow.conn.execute("UPDATE versions SET source_text = 'objectives: [', hash_version = 1")
    problems = drafts.doctor(at(home)).problems
    for n in (1, 2):  # and, since migration 0011, an older scheme is itself flagged
        assert f"draft 'Growth' v{n}: stored text no longer parses as an OKR set" in problems
        assert any(p.startswith(f"draft 'Growth' v{n}: hash version 1 is older") for p in problems)


def test_accept_replaces_only_the_target_and_keeps_every_comment(home: Path) -> None:
    _save(home)
    finding = _finding("O1.KR1", "Improve activation", "Raise activation from 30% to 45%")
    result = drafts.accept(at(home), "Growth", finding)
    version = drafts.get_version(at(home), "Growth")
    assert result.version.number == 2
    assert version.text == TEXT.replace(
        "Improve activation   #", "Raise activation from 30% to 45%   #"
    )
    # A rewrite that is not valid as a plain YAML scalar is written double-quoted.
    tricky = _finding("O1.KR2", "Cut", "Cut: time-to-first-dashboard #1 from 3 days to 1 day")
    drafts.accept(at(home), "Growth", tricky)
    text = drafts.get_version(at(home), "Growth").text
    assert text is not None and "# the one that matters" in text
    assert '- "Cut: time-to-first-dashboard #1 from 3 days to 1 day"' in text
    assert drafts.doctor(at(home)).ok


def test_accept_falls_back_to_canonical_yaml_when_the_text_cannot_be_edited(
    home: Path,
) -> None:
    # An anchor and alias: the KR's wording is in two places, so no one-span edit
    # parses to the accepted content.
    text = (
        "name: Growth\nobjectives:\n  - title: &t Improve activation\n"
        "    key_results:\n      - *t\n"
    )
    drafts.save(at(home), "Growth", _set(text), "first", text=text)
    assert drafts.get_version(at(home), "Growth").text == text
    finding = _finding("O1.KR1", "Improve activation", "Raise activation from 30% to 45%")
    drafts.accept(at(home), "Growth", finding)
    version = drafts.get_version(at(home), "Growth")
    assert version.text is None
    assert version.okr_set.objectives[0].key_results[0].text == "Raise activation from 30% to 45%"
    assert version.okr_set.objectives[0].title == "Improve activation"


def test_restore_brings_back_the_text_too(home: Path) -> None:
    _save(home)
    _save(home, TEXT.replace("offsite", "board"), "Comment")
    result = drafts.restore(at(home), "Growth", 1)
    assert result.created
    assert drafts.get_version(at(home), "Growth").text == TEXT
    assert not drafts.restore(at(home), "Growth", 1).created
