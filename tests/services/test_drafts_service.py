"""The drafts services: save, accept, restore, diff, export/import, delete/undelete."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.errors import InputError, UsageError
from assistant.io import read_text
from assistant.model import Finding, KeyResult, Objective, OKRSet, Rewrite
from assistant.services import drafts
from assistant.services.critique import critique_set
from assistant.store import ConflictError
from assistant.store.store import Store

WEAK = """
name: Growth
cycle: 2026-Q1
objectives:
  - title: Make onboarding effortless
    key_results:
      - Improve activation
      - Cut time-to-first-dashboard from 3 days to 1 day
  - title: Keep support quality
    key_results:
      - Answer 90% of tickets within 4 hours
      - Raise CSAT from 80% to 85%
"""


def _weak() -> OKRSet:
    return read_text(WEAK, "growth.yaml", "yaml")[0]


def _finding(target: str, evidence: str, text: str | None, source: str = "llm") -> Finding:
    return Finding(
        code="KR-VAGUE" if source == "rules" else "LLM-VAGUE",
        target=target,
        dimension="clarity",
        severity="warning",
        evidence=evidence,
        message="vague",
        question="which number?",
        suggestion="name it",
        source=source,  # type: ignore[arg-type]
        rewrite=Rewrite(text=text) if text else None,
    )


def test_save_appends_versions_with_scores_and_chained_hashes(store: Store) -> None:
    first = drafts.save(store, "Growth", _weak(), "First draft", author="Ana")
    better = _weak()
    better.objectives[0].key_results[0].text = "Raise week-1 activation from 32% to 50%"
    second = drafts.save(store, "Growth", better, "Measurable activation", author="Li")

    assert first.created and first.new_draft and first.version.number == 1
    assert second.created and not second.new_draft and second.version.number == 2
    assert second.version.parent_hash == first.version.hash
    assert first.version.scores == critique_set(_weak()).scores
    assert second.version.scores == critique_set(better).scores
    head = drafts.get_version(store, "Growth")
    assert head.number == 2 and head.author == "Li" and head.source == "manual"
    assert head.okr_set.content() == better.content()
    assert drafts.get_version(store, "Growth", 1).okr_set.content() == _weak().content()


def test_saving_unchanged_content_adds_no_version(store: Store) -> None:
    drafts.save(store, "Growth", _weak(), "First draft", author="Ana")
    again = drafts.save(store, "Growth", _weak(), "Nothing new", author="Ana")
    assert not again.created and again.version.number == 1
    assert len(drafts.history(store, "Growth")) == 1


def test_save_rejects_empty_messages_bad_names_and_unknown_sources(store: Store) -> None:
    with pytest.raises(UsageError, match="message"):
        drafts.save(store, "Growth", _weak(), "   ")
    with pytest.raises(UsageError, match="version reference"):
        drafts.save(store, "Growth@3", _weak(), "x")
    with pytest.raises(UsageError, match="source"):
        drafts.save(store, "Growth", _weak(), "x", source="magic")
    assert drafts.list_drafts(store) == []


def test_save_with_a_stale_expected_head_conflicts(store: Store) -> None:
    drafts.save(store, "Growth", _weak(), "v1", author="a")
    other = _weak()
    other.cycle = "2026-Q2"
    drafts.save(store, "Growth", other, "v2", author="b", expected_head=1)
    with pytest.raises(ConflictError, match="at v2 now, not v1"):
        drafts.save(store, "Growth", _weak(), "mine", author="a", expected_head=1)


def test_accept_applies_one_rewrite_as_a_new_version(store: Store) -> None:
    drafts.save(store, "Growth", _weak(), "First draft", author="Ana")
    finding = _finding("O1.KR1", "Improve", "Raise week-1 activation from 32% to 50% by 31 Mar")

    result = drafts.accept(store, "Growth", finding, author="Ana")

    version = drafts.get_version(store, "Growth")
    assert result.created and version.number == 2
    assert version.message == "Accept rewrite of O1.KR1 (llm)"
    assert version.source == "accept:llm"
    assert version.okr_set.objectives[0].key_results[0].text == (
        "Raise week-1 activation from 32% to 50% by 31 Mar"
    )
    # Everything else is untouched.
    rest = version.okr_set.content()
    rest["objectives"][0]["key_results"][0]["text"] = "Improve activation"
    assert rest == _weak().content()


def test_accept_rewrites_an_objective_title_from_the_rules_engine(store: Store) -> None:
    drafts.save(store, "Growth", _weak(), "First draft", author="Ana")
    finding = _finding("O2", "Keep", "Make support the reason customers stay", source="rules")
    drafts.accept(store, "Growth", finding)
    version = drafts.get_version(store, "Growth")
    assert version.source == "accept:rules"
    assert version.message == "Accept rewrite of O2 (rules)"
    assert version.okr_set.objectives[1].title == "Make support the reason customers stay"


def test_accept_refuses_stale_missing_or_rewriteless_suggestions(store: Store) -> None:
    drafts.save(store, "Growth", _weak(), "First draft", author="Ana")
    with pytest.raises(ConflictError, match="changed since this suggestion"):
        drafts.accept(store, "Growth", _finding("O1.KR1", "Boost", "Raise X from 1 to 2"))
    with pytest.raises(UsageError, match="O1.KR9 does not exist"):
        drafts.accept(store, "Growth", _finding("O1.KR9", "", "Raise X from 1 to 2"))
    with pytest.raises(UsageError, match="offers no rewrite"):
        drafts.accept(store, "Growth", _finding("O1.KR1", "Improve", None))
    with pytest.raises(ConflictError):
        drafts.accept(store, "Growth", _finding("O1.KR1", "Improve", "Raise X"), expected_head=7)
    assert len(drafts.history(store, "Growth")) == 1


def test_restore_adds_a_version_equal_to_the_old_one(store: Store) -> None:
    drafts.save(store, "Growth", _weak(), "v1", author="a")
    changed = _weak()
    changed.objectives.pop()
    drafts.save(store, "Growth", changed, "drop support", author="a")

    result = drafts.restore(store, "Growth", 1, author="b")

    assert result.created and result.version.number == 3
    assert result.version.source == "restore" and result.version.message == "Restore v1"
    assert drafts.get_version(store, "Growth", 3).okr_set.content() == _weak().content()
    assert [v.number for v in drafts.history(store, "Growth")] == [3, 2, 1]
    assert drafts.doctor(store).ok


def test_unknown_drafts_and_versions_are_usage_errors(store: Store) -> None:
    with pytest.raises(UsageError, match="unknown draft 'Nope'"):
        drafts.get_version(store, "Nope")
    drafts.save(store, "Growth", _weak(), "v1", author="a")
    with pytest.raises(UsageError, match=r"has no version 5 \(it has v1–v1\)"):
        drafts.get_version(store, "Growth", 5)
    with pytest.raises(UsageError, match="unknown draft"):
        drafts.history(store, "Nope")


def test_parse_ref() -> None:
    assert drafts.parse_ref("Growth") == ("Growth", None)
    assert drafts.parse_ref("Growth@3") == ("Growth", 3)
    assert drafts.parse_ref("Team @ EMEA@v2") == ("Team @ EMEA", 2)
    assert drafts.parse_ref("Team @ EMEA") == ("Team @ EMEA", None)
    assert drafts.parse_ref("Growth@latest") == ("Growth", None)


def test_diff_reports_changes_per_objective_and_kr_with_score_deltas(store: Store) -> None:
    drafts.save(store, "Growth", _weak(), "v1", author="a")
    new = _weak()
    new.objectives[0].key_results[0].text = "Raise week-1 activation from 32% to 50%"
    new.objectives[0].key_results[1].owner = "Li"
    new.objectives.pop(1)
    new.objectives.append(
        Objective(title="Win the mid-market", key_results=[KeyResult(text="Sign 12 new logos")])
    )
    new.cycle = "2026-Q2"
    drafts.save(store, "Growth", new, "v2", author="a")

    d = drafts.diff(store, "Growth", 1, 2)

    assert d.changed
    assert [(f.field, f.old, f.new) for f in d.set_fields] == [("cycle", "2026-Q1", "2026-Q2")]
    kinds = [(o.kind, o.old_id, o.new_id) for o in d.objectives]
    assert kinds == [("changed", "O1", "O1"), ("removed", "O2", None), ("added", None, "O2")]
    kr1, kr2 = d.objectives[0].key_results
    assert (kr1.kind, kr1.old_text, kr1.new_text) == (
        "changed",
        "Improve activation",
        "Raise week-1 activation from 32% to 50%",
    )
    assert kr1.delta is not None and kr1.delta.measurability > 0
    assert kr1.new_scores is not None and kr1.old_scores is not None
    assert kr1.delta.measurability == kr1.new_scores.measurability - kr1.old_scores.measurability
    assert [(f.field, f.old, f.new) for f in kr2.fields] == [("owner", None, "Li")]
    assert d.delta.overall == d.new_scores.overall - d.old_scores.overall
    assert not drafts.diff(store, "Growth", 2, 2).changed


def test_diff_pairs_a_reworded_objective_by_its_key_results(store: Store) -> None:
    drafts.save(store, "Growth", _weak(), "v1", author="a")
    new = _weak()
    new.objectives[1].title = "Customers trust us to fix things fast"
    drafts.save(store, "Growth", new, "v2", author="a")
    d = drafts.diff(store, "Growth", 1)
    assert [o.kind for o in d.objectives] == ["unchanged", "changed"]
    assert all(k.kind == "unchanged" for k in d.objectives[1].key_results)


def test_export_version_round_trips_through_the_readers(store: Store) -> None:
    drafts.save(store, "Growth", _weak(), "v1", author="a")
    for fmt, label in (("yaml", "x.yaml"), ("md", "x.md"), ("json", "x.json")):
        text = drafts.export_version(store, "Growth", 1, fmt)
        assert read_text(text, label)[0].content() == _weak().content()


def _history_hashes(store: Store, name: str) -> list[str]:
    return [v.hash for v in drafts.history(store, name)]


def test_backup_restores_every_draft_and_version_exactly(store: Store, tmp_path: Path) -> None:
    drafts.save(store, "Growth", _weak(), "v1", author="a")
    drafts.accept(store, "Growth", _finding("O1.KR1", "Improve", "Raise activation 30%→40%"))
    drafts.save(store, "Other", OKRSet(name="Other"), "empty", author="b")
    drafts.delete(store, "Other")
    written = drafts.export_all(store, tmp_path / "backup")
    assert sorted(p.name for p in written) == ["growth.json", "other.json"]

    fresh = Store.in_home(tmp_path / "fresh")
    results = drafts.import_path(fresh, str(tmp_path / "backup"))

    assert {(r.name, r.added, r.new_draft) for r in results} == {
        ("Growth", 2, True),
        ("Other", 1, True),
    }
    assert _history_hashes(fresh, "Growth") == _history_hashes(store, "Growth")
    original = drafts.history(store, "Growth")
    assert drafts.history(fresh, "Growth") == original  # messages, sources, times, scores
    assert [d.name for d in drafts.list_drafts(fresh, deleted=True)] == ["Other"]
    assert drafts.doctor(fresh).ok
    # Importing again adds nothing; a longer history appends only the new versions.
    assert [r.added for r in drafts.import_path(fresh, str(tmp_path / "backup"))] == [0, 0]
    drafts.restore(store, "Growth", 1)
    drafts.export_all(store, tmp_path / "backup")
    again = drafts.import_path(fresh, str(tmp_path / "backup" / "growth.json"))
    assert [(r.added, r.skipped) for r in again] == [(1, 2)]
    assert _history_hashes(fresh, "Growth") == _history_hashes(store, "Growth")


def test_tampered_backup_is_rejected_and_nothing_is_written(store: Store, tmp_path: Path) -> None:
    drafts.save(store, "Growth", _weak(), "v1", author="a")
    drafts.save(store, "Growth", OKRSet(name="Growth"), "v2", author="a")
    drafts.save(store, "Zeta", OKRSet(name="Zeta"), "v1", author="a")
    drafts.export_all(store, tmp_path / "b")
    path = tmp_path / "b" / "growth.json"
    document = json.loads(path.read_text())
    document["versions"][0]["content"]["cycle"] = "2030-Q1"
    path.write_text(json.dumps(document))

    fresh = Store.in_home(tmp_path / "fresh")
    with pytest.raises(InputError, match="v1: hash does not match its content"):
        drafts.import_path(fresh, str(tmp_path / "b"))
    assert drafts.list_drafts(fresh) == []


def test_import_refuses_a_diverged_history(store: Store, tmp_path: Path) -> None:
    drafts.save(store, "Growth", _weak(), "v1", author="a")
    drafts.export_all(store, tmp_path / "b")
    other = Store.in_home(tmp_path / "other")
    drafts.save(other, "Growth", OKRSet(name="Growth"), "different", author="x")
    with pytest.raises(InputError, match="differs from this backup from v1"):
        drafts.import_path(other, str(tmp_path / "b"))
    renamed = drafts.import_path(other, str(tmp_path / "b" / "growth.json"), draft="Growth-2")
    assert [(r.name, r.added) for r in renamed] == [("Growth-2", 1)]


def test_import_of_an_okr_file_makes_import_versions_per_set(store: Store, tmp_path: Path) -> None:
    team = tmp_path / "team.yaml"
    team.write_text(
        "sets:\n  - name: Alpha\n    objectives: []\n  - name: Beta\n    objectives: []\n"
    )
    results = drafts.import_path(store, str(team), author="Ana")
    assert [(r.name, r.added) for r in results] == [("Alpha", 1), ("Beta", 1)]
    version = drafts.get_version(store, "Beta")
    assert version.source == "import" and version.message == "Import team.yaml"
    with pytest.raises(UsageError, match="holds 2 sets"):
        drafts.import_path(store, str(team), draft="One")


def test_delete_is_soft_reversible_and_purged_only_after_30_days(store: Store) -> None:
    drafts.save(store, "Growth", _weak(), "v1", author="a")
    drafts.save(store, "Old", OKRSet(name="Old"), "v1", author="a")

    deleted = drafts.delete(store, "Growth")
    assert deleted.deleted_at is not None and deleted.purge_after is not None
    assert [d.name for d in drafts.list_drafts(store)] == ["Old"]
    assert [d.name for d in drafts.list_drafts(store, deleted=True)] == ["Growth"]
    with pytest.raises(UsageError, match="okr undelete Growth"):
        drafts.get_version(store, "Growth")
    with pytest.raises(UsageError, match="was deleted"):
        drafts.save(store, "Growth", OKRSet(name="Growth"), "again", author="a")
    with pytest.raises(UsageError, match="already deleted"):
        drafts.delete(store, "Growth")

    drafts.undelete(store, "Growth")
    assert drafts.get_version(store, "Growth").okr_set.content() == _weak().content()

    drafts.delete(store, "Growth", now=datetime.now(UTC) - timedelta(days=2))
    drafts.delete(store, "Old", now=datetime.now(UTC) - timedelta(days=31))
    assert drafts.purge(store, dry_run=True) == ["Old"]
    assert drafts.purge(store) == ["Old"]
    assert [d.name for d in drafts.list_drafts(store, deleted=True)] == ["Growth"]
    with pytest.raises(UsageError, match="no deleted draft named 'Old'"):
        drafts.undelete(store, "Old")
    assert drafts.doctor(store).ok


def test_unknown_draft_suggests_a_close_name(store: Store) -> None:
    drafts.save(store, "Growth", _weak(), "v1", author="a")
    with pytest.raises(UsageError, match="did you mean 'Growth'"):
        drafts.get_version(store, "growth")
    with pytest.raises(UsageError, match="did you mean 'Growth'"):
        drafts.history(store, "Growht")


COMMENTED = """# Growth, as agreed at the offsite
name: Growth   # the team's name
objectives:
  - title: Make onboarding effortless   # the one that matters
    key_results:
      - Raise week-1 activation from 32% to 50%
"""


def test_rename_keeps_the_history_and_the_set_name_follows(store: Store) -> None:
    drafts.save(store, "Growth", _weak(), "v1", author="a")
    better = _weak()
    better.cycle = "2026-Q2"
    drafts.save(store, "Growth", better, "v2", author="a")

    result = drafts.rename(store, "Growth", "Growth 2026", author="Li")

    assert result.created and not result.new_draft
    assert result.version.number == 3 and result.version.draft == "Growth 2026"
    assert [d.name for d in drafts.list_drafts(store)] == ["Growth 2026"]
    head = drafts.get_version(store, "Growth 2026")
    assert head.message == "Rename to Growth 2026" and head.author == "Li"
    assert head.source == "manual" and head.okr_set.name == "Growth 2026"
    rest = head.okr_set.content() | {"name": "Growth"}
    assert rest == better.content()  # nothing but the name changed
    assert [v.message for v in drafts.history(store, "Growth 2026")] == [
        "Rename to Growth 2026",
        "v2",
        "v1",
    ]
    assert drafts.get_version(store, "Growth 2026", 1).okr_set.content() == _weak().content()
    with pytest.raises(UsageError, match="unknown draft 'Growth'"):
        drafts.get_version(store, "Growth")
    assert drafts.doctor(store).ok


def test_rename_edits_only_the_name_line_of_the_text_as_written(store: Store) -> None:
    okr_set = read_text(COMMENTED, "growth.yaml", "yaml")[0]
    drafts.save(store, "Growth", okr_set, "v1", text=COMMENTED)
    drafts.rename(store, "Growth", "Growth: EMEA")
    head = drafts.get_version(store, "Growth: EMEA")
    # A name that is not a valid plain YAML scalar is written double-quoted.
    assert head.text == COMMENTED.replace("name: Growth ", 'name: "Growth: EMEA" ')
    assert head.okr_set.name == "Growth: EMEA"
    assert drafts.doctor(store).ok


def test_rename_refuses_taken_invalid_and_unknown_names(store: Store) -> None:
    drafts.save(store, "Growth", _weak(), "v1", author="a")
    drafts.save(store, "Other", OKRSet(name="Other"), "v1", author="a")
    drafts.save(store, "Old", OKRSet(name="Old"), "v1", author="a")
    drafts.delete(store, "Old")
    refused = {
        "Other": "the name 'Other' is taken by a draft; choose another",
        "Old": r"taken by a deleted draft \(see `okr drafts --deleted`\)",
        "Growth": "draft 'Growth' is already called 'Growth'",
        "Growth@2": "ends like a version reference",
        "  ": "a draft name cannot be empty",
        "Two\nlines": "cannot contain line breaks",
    }
    for new, message in refused.items():
        with pytest.raises(UsageError, match=message):
            drafts.rename(store, "Growth", new)
    with pytest.raises(UsageError, match="did you mean 'Growth'"):
        drafts.rename(store, "Growht", "New")
    with pytest.raises(UsageError, match="okr undelete Old"):
        drafts.rename(store, "Old", "New")
    assert [d.name for d in drafts.list_drafts(store)] == ["Growth", "Other"]
    assert len(drafts.history(store, "Growth")) == 1


def test_rename_of_a_draft_whose_set_already_has_the_new_name_adds_no_version(
    store: Store,
) -> None:
    drafts.save(store, "scratch", _weak(), "v1", author="a")  # the set is named Growth
    result = drafts.rename(store, "scratch", "Growth")
    assert not result.created and result.version.number == 1
    assert [d.name for d in drafts.list_drafts(store)] == ["Growth"]
