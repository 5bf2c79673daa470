"""Issue 22 item 5 for ``okr import``: whatever a file holds — an OKR file or a backup —
import ends in one line and exit 0, 1 or 2, never a traceback."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant.services import drafts
from assistant.store.store import Store
from tests.integrity.conftest import okr, okr_set

HOSTILE = [
    '!!timestamp "x"', '!!bool "maybe"', '!!int "-"', "!!float 'x'", "!!binary '%'",
    "9" * 5000, "-" + "9" * 4400, '"\\ud800"', "\\udfff", "NaN", "Infinity", "1e999",
    "\x1b]52;c;aGk=\x07", "\x1b[2J", "\u202e", "&a [*a, *a]", "*nowhere", "{" * 60, "[" * 60,
    ": : :", "- - -", "\t", "\x00", "name:", "objectives:", "key_results:", "title:", "---",
    "sets:", "{}", "[]", '"', "'", "#", "|", ">",
]  # fmt: skip

fragments = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)), min_size=1, max_size=12
)


def _import(path: Path) -> None:
    result = okr("import", str(path), "--as-version")
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    if result.exit_code == 2:
        assert len(result.stderr.splitlines()) == 1, result.stderr


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(parts=fragments, suffix=st.sampled_from([".yaml", ".json", ".md", ".csv"]))
@example(parts=['!!int "-"'], suffix=".yaml")
@example(parts=['!!bool "maybe"'], suffix=".yaml")
@example(parts=['!!timestamp "x"'], suffix=".yaml")
@example(parts=["9" * 5000], suffix=".yaml")
@example(parts=['"\\ud800"'], suffix=".yaml")
def test_any_okr_file_imports_or_is_one_line(parts: list[str], suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["OKR_HOME"] = str(Path(tmp) / "home")
        path = Path(tmp) / f"plan{suffix}"
        text = "name: Fuzz\nobjectives:\n  - title: " + " ".join(parts) + "\n"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        _import(path)


def _backup_document() -> dict:
    """One draft's backup as ``okr export --all`` writes it (built once)."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.in_home(Path(tmp) / "home")
        drafts.save(store, "Team", okr_set(40), "v1", author="ana")
        drafts.save(store, "Team", okr_set(45), "v2", author="ana")
        drafts.export_all(store, Path(tmp) / "b")
        store.close()
        return json.loads((Path(tmp) / "b" / "team.json").read_text())


DOCUMENT = _backup_document()


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


PATHS = _paths(DOCUMENT)[1:]
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False), st.text(max_size=8), st.sampled_from(HOSTILE),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.none(), max_size=2),
)  # fmt: skip


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(edits=st.lists(st.tuples(st.sampled_from(PATHS), VALUES), min_size=1, max_size=3))
def test_any_edit_of_a_backup_is_refused_in_one_line(edits: list[tuple]) -> None:
    document = json.loads(json.dumps(DOCUMENT))
    for path, value in edits:
        node = document
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit replaced the container
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["OKR_HOME"] = str(Path(tmp) / "home")
        file = Path(tmp) / "team.json"
        file.write_text(json.dumps(document, ensure_ascii=False), "utf-8", errors="surrogatepass")
        result = okr("import", str(file))
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(
            result.exception
        )
        assert result.exit_code in (0, 2), result.output
        if result.exit_code == 2:
            assert len(result.stderr.splitlines()) == 1, result.stderr
        elif document != DOCUMENT:
            # Accepted: then the edit changed nothing a hash covers, and the store verifies.
            assert drafts.doctor(Store.in_home(Path(tmp) / "home")).problems == []
