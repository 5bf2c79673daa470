"""Migration 0008: versions keep the text they were written as (hash version 3)."""

from __future__ import annotations

from pathlib import Path

from assistant.io import read_text
from assistant.services import drafts
from assistant.store.db import connect
from assistant.store.migrations import MIGRATIONS, migrate, schema_version
from assistant.store.repo import HASH_VERSION, metadata_hash
from assistant.store.store import Store

TEXT = "# why\nname: Team\nobjectives:\n  - title: Grow\n    key_results:\n      - Reach 10 users\n"


def test_source_text_is_the_eighth_named_step() -> None:
    names = [m.name for m in MIGRATIONS]
    assert names.index("0008_version_source_text") == names.index("0007_version_hash_v2") + 1


def test_a_database_from_before_0008_migrates_and_its_versions_verify(
    okr_home: Path, store: Store
) -> None:
    okr_set = read_text(TEXT, "team.yaml", "yaml")[0]
    conn = connect(store.path)
    migrate(conn, MIGRATIONS[:7])  # a build that stopped at 0007
    conn.close()
    with _at_seven(okr_home) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(versions)")}
        assert "source_text" not in columns
    # The old build saves (no text column), then this build opens it.
    _save_like_0007(okr_home, okr_set)
    version = drafts.get_version(store, "Team")
    assert version.text is None and version.number == 1
    with store.unit_of_work(write=False) as uow:
        conn = uow.conn
        assert schema_version(conn) == len(MIGRATIONS)
        columns = {row[1] for row in conn.execute("PRAGMA table_info(versions)")}
        assert {"source_text", "source_format"} <= columns
    assert drafts.doctor(store).ok
    # Saving the same content with its text is a new version (the text is new).
    result = drafts.save(store, "Team", okr_set, "with comments", text=TEXT)
    assert result.created and result.version.number == 2
    assert drafts.get_version(store, "Team").text == TEXT
    assert drafts.doctor(store).ok


def test_hash_version_3_covers_the_stored_text(store: Store) -> None:
    okr_set = read_text(TEXT, "team.yaml", "yaml")[0]
    drafts.save(store, "Team", okr_set, "first", text=TEXT)
    with store.unit_of_work(write=False) as uow:
        row = uow.conn.execute(
            "SELECT hash, message, author, source, created_at, hash_version, meta_hash,"
            " source_text, source_format FROM versions"
        ).fetchone()
    digest, message, author, source, created_at, version, meta, text, fmt = row
    assert version == HASH_VERSION == 3 and (text, fmt) == (TEXT, "yaml")
    scores = drafts.get_version(store, "Team").scores
    args = dict(message=message, author=author, source=source, created_at=created_at)
    assert meta == metadata_hash(
        digest, **args, scores=scores, hash_version=3, text=TEXT, text_format="yaml"
    )
    assert meta != metadata_hash(
        digest, **args, scores=scores, hash_version=3, text=None, text_format=None
    )
    assert meta != metadata_hash(digest, **args, scores=scores)  # not version 2's


class _at_seven:
    """A connection to the database as the 0007 build leaves it (no migration run)."""

    def __init__(self, home: Path) -> None:
        self.conn = connect(Store.in_home(home).path)

    def __enter__(self):
        return self.conn

    def __exit__(self, *exc: object) -> None:
        self.conn.close()


def _save_like_0007(home: Path, okr_set) -> None:
    from assistant.rubric.critic import critique_set
    from assistant.store.repo import canonical_json, chain_hash, timestamp

    content = canonical_json(okr_set.content())
    digest = chain_hash(content, None)
    stamp = timestamp()
    s = critique_set(okr_set, rewrites=False).scores
    meta = metadata_hash(
        digest, message="old", author="ana", source="manual", created_at=stamp, scores=s
    )
    with _at_seven(home) as conn:
        conn.execute("INSERT INTO drafts (name, created_at) VALUES ('Team', ?)", (stamp,))
        conn.execute(
            "INSERT INTO versions (draft_id, number, content, hash, message, author, source,"
            " created_at, clarity, measurability, ambition, overall, hash_version, meta_hash)"
            " VALUES (1, 1, ?, ?, 'old', 'ana', 'manual', ?, ?, ?, ?, ?, 2, ?)",
            (content, digest, stamp, s.clarity, s.measurability, s.ambition, s.overall, meta),
        )
