"""Backups and OKR files in and out: export a version, back up every draft with its
full history (``okr export --all``), and import either kind back.

A backup (format 2) holds every version's hashes, every cycle record's hash, and each
chain's head (``store.hashing``, ``store.chain_heads``); its manifest holds each draft
file's SHA-256 and heads. Importing reads only plain files inside the backup folder
(``backup_files``), verifies everything first, and writes nothing when any of it does
not match: an edited record, a removed last version or check-in, an edited file.
Backups of format 1 (before heads) import with the checks they allow.

An OKR file whose set names a draft that exists is not silently made its new head:
``existing="ask"`` refuses with an ``ExistingDraftError`` (the CLI asks, or needs
``--as-version`` / ``--as-new NAME``; the TUI's dialog offers the same choices).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from assistant.domain.drafts import ImportedDraft, VersionInfo
from assistant.errors import InputError, UsageError, one_line, validation_message
from assistant.model import OKRSet
from assistant.paths import write_text_atomic
from assistant.services.cycle_backup import backup_cycles, restore_cycles, verify_cycles
from assistant.services.drafts import source_text
from assistant.services.drafts.backup_files import (
    inside,
    looks_like,
    parse_json,
    read_plain,
)
from assistant.services.drafts.names import check_name
from assistant.services.drafts.versions import get_version, save, score
from assistant.store import repo

if TYPE_CHECKING:
    from assistant.store.store import Store, UnitOfWork

BACKUP_FORMAT = "okr-coach-draft"
INDEX_FORMAT = "okr-coach-backup"
FORMAT_VERSION = 2  # 2: record hashes, chain heads, file checksums; 1: version hashes only
MANIFEST = "manifest.json"

Existing = Literal["ask", "version"]


class ExistingDraftError(UsageError):
    """Importing the file would add a version to drafts that already exist (``names``):
    the caller asks the user — a new version of it, a new draft (``suggestion`` is a
    free name; only for a file of one set), or cancel. Nothing was written."""

    def __init__(self, path: str, names: list[str], suggestion: str, sets: int = 1) -> None:
        self.path = path
        self.names = names
        self.suggestion = suggestion
        self.sets = sets  # how many sets the file holds (a new draft takes a single one)
        listed = ", ".join(f"'{n}'" for n in names)
        exists = (
            f"draft {listed} already exists"
            if len(names) == 1
            else (f"drafts {listed} already exist")
        )
        super().__init__(
            f"{path}: {exists}; import the file as a new version of it or as a new draft"
        )


def export_version(store: Store, name: str, number: int | None = None, fmt: str = "yaml") -> str:
    """One version as an OKR file (yaml, markdown or json) that ``okr critique`` reads
    back: the text it was written as when that is in ``fmt`` (comments kept), else the
    canonical form."""
    from assistant.io import write_sets

    version = get_version(store, name, number)
    if version.text is not None and version.text_format == source_text.text_format(fmt):
        shown = source_text.shown_text(version.text, version.text_format, version.okr_set)
        if shown is not None:
            return shown
    try:
        return write_sets([version.okr_set], fmt)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _slug(name: str) -> str:
    slug = re.sub(r"[^\w.-]+", "-", name.strip(), flags=re.UNICODE).strip("-.").lower()
    return slug[:80] or "draft"


def _head(found: tuple[int, str | None] | None) -> dict[str, Any] | None:
    return {"length": found[0], "hash": found[1]} if found else None


def export_all(store: Store, directory: Path) -> list[Path]:
    """Back up every draft (deleted ones too) with its full history: one JSON file per
    draft plus ``manifest.json`` (each file's SHA-256 and chain heads). ``okr import
    DIR`` restores it, verifying every hash and head."""
    drafts: list[tuple[repo.DraftRow, list[dict[str, Any]]]] = []
    cycle_data: dict[int, list[dict[str, Any]]] = {}  # launches, check-ins, grades, retros
    heads: dict[int, dict[str, Any]] = {}
    if store.exists():
        with store.unit_of_work(write=False) as uow:
            for draft in uow.drafts.all():
                versions = [_backup_version(r) for r in uow.versions.backup_rows(draft.id)]
                drafts.append((draft, versions))
                cycle_data[draft.id] = backup_cycles(uow, draft.id)
                recorded = uow.drafts.heads(draft.id)
                heads[draft.id] = {
                    "versions": _head(recorded.get("versions")),
                    "cycles": _head(recorded.get("cycles")),
                }
    try:
        directory.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        used: set[str] = set()
        manifest: list[dict[str, Any]] = []
        for draft, versions in drafts:
            base = _slug(draft.name)
            filename, n = f"{base}.json", 1
            while filename in used or filename == MANIFEST:
                n += 1
                filename = f"{base}-{n}.json"
            used.add(filename)
            document = {
                "format": BACKUP_FORMAT,
                "format_version": FORMAT_VERSION,
                "name": draft.name,
                "created_at": draft.created_at,
                "deleted_at": draft.deleted_at,
                "versions": versions,
                **({"cycles": cycle_data[draft.id]} if cycle_data.get(draft.id) else {}),
                "heads": heads[draft.id],
            }
            path = directory / filename
            text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
            write_text_atomic(path, text)
            written.append(path)
            manifest.append(
                {
                    "name": draft.name,
                    "file": filename,
                    "versions": len(versions),
                    "head": versions[-1]["hash"] if versions else None,
                    "heads": heads[draft.id],
                    "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                }
            )
        index = {
            "format": INDEX_FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": repo.timestamp(),
            "drafts": manifest,
        }
        write_text_atomic(
            directory / MANIFEST, json.dumps(index, ensure_ascii=False, indent=1) + "\n"
        )
    except OSError as exc:
        raise UsageError(f"{directory}: cannot write the backup ({exc.strerror or exc})") from None
    return written


def _backup_version(row: Sequence[Any]) -> dict[str, Any]:
    keys = ("number", "hash", "parent_hash", "message", "author", "source", "created_at")
    entry: dict[str, Any] = dict(zip(keys, row[:7], strict=True))
    if all(v is not None for v in row[7:11]):
        entry["scores"] = dict(
            zip(("clarity", "measurability", "ambition", "overall"), row[7:11], strict=True)
        )
    entry["content"] = json.loads(row[11])
    entry["hash_version"] = row[12]
    if row[13] is not None:
        entry["meta_hash"] = row[13]
    if row[14] is not None:
        entry["text"] = row[14]
        entry["text_format"] = row[15]
    return entry


@dataclass(frozen=True)
class _Entry:
    """One verified version of a backup, as it is inserted (re-hashed by the store)."""

    info: VersionInfo
    content: str
    text: str | None = None
    text_format: str | None = None


@dataclass(frozen=True)
class _Loaded:
    """One draft file of a backup, verified on its own."""

    label: str
    document: dict[str, Any]
    versions: list[_Entry]
    data: bytes


def _entry_text(entry: dict[str, Any], content: str, label: str, where: str) -> tuple[Any, Any]:
    """The version's stored text and format (``(None, None)`` in older backups); refused
    when it does not parse to the version's content."""
    text, fmt = entry.get("text"), entry.get("text_format")
    if text is None:
        return None, None
    if not isinstance(text, str) or not isinstance(fmt, str):
        raise InputError(label, f"{where}: 'text' and 'text_format' must be strings")
    problem = source_text.mismatch(text, fmt, content)
    if problem:
        raise InputError(label, f"{where}: {problem} (file was edited); nothing was imported")
    return text, fmt


def _verify_version(
    entry: Any, expected: int, parent: str | None, name: str, label: str, format_version: int
) -> _Entry:
    """One version of a backup checked on its own and against its parent. Edited
    metadata (hash version 2 and 3; 3 covers the stored text too) is refused; scores are
    recomputed from the content, never taken on trust."""
    where = f"draft '{name}' v{expected}"
    try:
        content = entry["content"]
        okr_set = OKRSet.model_validate(content)
        info = VersionInfo(
            draft=name,
            number=entry["number"],
            hash=entry["hash"],
            parent_hash=entry.get("parent_hash"),
            message=entry["message"],
            author=entry["author"],
            source=entry["source"],
            created_at=entry["created_at"],
            scores=entry.get("scores"),
        )
        hash_version = entry.get("hash_version", 1)
    except (KeyError, TypeError) as exc:
        raise InputError(label, f"{where}: missing or malformed field {exc}") from None
    except ValidationError as exc:
        raise InputError(label, f"{where}: {validation_message(exc)}") from None
    text = repo.canonical_json(okr_set.content())
    if text != repo.canonical_json(content):
        raise InputError(label, f"{where}: content is not in canonical form")
    if info.number != expected:
        raise InputError(label, f"{where}: numbered v{info.number} (versions missing?)")
    if info.parent_hash != parent:
        raise InputError(label, f"{where}: parent hash does not match v{expected - 1}")
    if hash_version not in repo.HASH_VERSIONS or isinstance(hash_version, bool):
        raise InputError(label, f"{where}: unknown hash_version {hash_version!r}")
    if format_version >= 2 and hash_version != repo.HASH_VERSION:
        raise InputError(
            label,
            f"{where}: hash version {hash_version} is older than this backup's format "
            "allows (file was edited); nothing was imported",
        )
    if repo.chain_hash(text, parent) != info.hash:
        raise InputError(label, f"{where}: hash does not match its content (file was edited)")
    written, written_format = _entry_text(entry, text, label, where)
    if hash_version >= 2:
        created_at = entry["created_at"]
        meta_hash = repo.metadata_hash(
            info.hash,
            message=info.message,
            author=info.author,
            source=info.source,
            created_at=created_at if isinstance(created_at, str) else "",
            scores=info.scores,
            hash_version=hash_version,
            text=written,
            text_format=written_format,
        )
        if entry.get("meta_hash") != meta_hash or repo.timestamp(info.created_at) != created_at:
            raise InputError(
                label,
                f"{where}: message, author, source, "
                f"{'time, scores or stored text' if written is not None else 'time or scores'}"
                " do not match the version's hash (file was edited); nothing was imported",
            )
    # Scores are derived data: recomputed from the content; the store hashes the
    # recomputed ones. The chain hashes stay those of the backup.
    info = info.model_copy(update={"scores": score(okr_set)})
    return _Entry(info, text, written, written_format)


def _truncated(label: str, what: str) -> InputError:
    return InputError(label, f"{what}: truncated or edited; nothing was imported")


def _recorded(head: Any, prefix: str = "") -> str:
    length = head.get("length") if isinstance(head, dict) else None
    if isinstance(length, int) and not isinstance(length, bool):
        return f"{prefix}{length}"
    return "no such head" if head is None else "another"


def _load_backup(label: str, data: bytes) -> _Loaded:
    """Read one draft backup file and verify its chains and (format 2) heads."""
    document = parse_json(data, label)
    if not isinstance(document, dict) or document.get("format") != BACKUP_FORMAT:
        raise InputError(label, f'not an okr-coach draft backup (no "format": "{BACKUP_FORMAT}")')
    format_version = document.get("format_version")
    if format_version not in (1, 2) or isinstance(format_version, bool):
        raise InputError(label, f"unsupported backup format_version {format_version!r}")
    name = document.get("name")
    versions = document.get("versions")
    if not isinstance(name, str) or not isinstance(versions, list) or not versions:
        raise InputError(label, "a draft backup needs a 'name' and a non-empty 'versions' list")
    out: list[_Entry] = []
    parent: str | None = None
    for expected, entry in enumerate(versions, start=1):
        out.append(_verify_version(entry, expected, parent, name, label, format_version))
        parent = out[-1].info.hash
    if format_version >= 2:
        heads = document.get("heads")
        if not isinstance(heads, dict):
            raise InputError(label, f"draft '{name}': carries no chain heads; nothing was imported")
        recorded = heads.get("versions")
        if recorded != {"length": len(out), "hash": parent}:
            raise _truncated(
                label,
                f"draft '{name}' ends at v{len(out)} but its head records "
                f"{_recorded(recorded, 'v')}",
            )
        numbers = {e.info.number: e.info.hash for e in out}
        count, last = verify_cycles(document.get("cycles"), numbers, label, name)
        recorded = heads.get("cycles")
        if recorded != ({"length": count, "hash": last} if count else None):
            raise _truncated(
                label, f"draft '{name}' holds {count} cycle(s) but its head records "
                f"{_recorded(recorded)}",
            )  # fmt: skip
    return _Loaded(label, document, out, data)


def _match_manifest(
    loaded: _Loaded, entry: dict[str, Any], manifest: str, index_version: Any
) -> None:
    """The manifest's record of a draft file against the file: name, versions, head and
    (format 2) the file's SHA-256 and its chain heads."""
    name = loaded.document["name"]
    if entry.get("name") != name:
        raise InputError(
            manifest, f"lists {entry.get('name')!r} in {loaded.label}, which holds {name!r}"
        )
    count, head = len(loaded.versions), loaded.versions[-1].info.hash
    if ("versions" in entry and entry["versions"] != count) or (
        "head" in entry and entry["head"] != head
    ):
        raise InputError(
            loaded.label,
            f"draft '{name}': the manifest records {entry.get('versions')!r} version(s) but "
            f"the file holds {count}: truncated or edited; nothing was imported",
        )
    if index_version == 1:
        return
    if entry.get("sha256") != hashlib.sha256(loaded.data).hexdigest():
        raise InputError(
            loaded.label,
            "does not match the manifest's SHA-256 (edited after the backup was written); "
            "nothing was imported",
        )
    if entry.get("heads") != loaded.document.get("heads"):
        raise _truncated(loaded.label, f"draft '{name}' (heads differ from the manifest's)")


def _manifest_entries(folder: Path) -> tuple[str, Any, list[tuple[Path, dict[str, Any]]]]:
    """``(manifest label, its format_version, [(draft file, its manifest entry)])``."""
    manifest = folder / MANIFEST
    label = str(manifest)
    index = parse_json(read_plain(manifest), label)
    if not isinstance(index, dict) or not isinstance(index.get("drafts"), list):
        raise InputError(label, "unreadable backup manifest (no 'drafts' list)")
    version = index.get("format_version", 1)
    if version not in (1, 2) or isinstance(version, bool):
        raise InputError(label, f"unsupported manifest format_version {version!r}")
    out = []
    for entry in index["drafts"]:
        if not isinstance(entry, dict):
            raise InputError(label, "unreadable backup manifest (a 'drafts' entry is no object)")
        out.append((inside(folder, entry.get("file"), label), entry))
    return label, version, out


def _read_backups(path: Path) -> list[_Loaded]:
    """Every draft file of a backup (a folder, or one draft's file), read and verified;
    an ``InputError`` for the first that is refused."""
    if not path.is_dir():
        return [_load_backup(str(path), read_plain(path, follow=True))]
    if (path / MANIFEST).exists() or (path / MANIFEST).is_symlink():
        label, version, entries = _manifest_entries(path)
        loaded = []
        for file, entry in entries:
            one = _load_backup(str(file), read_plain(file))
            _match_manifest(one, entry, label, version)
            loaded.append(one)
        return loaded
    files = sorted(p for p in path.glob("*.json") if p.is_symlink() or looks_like(p, BACKUP_FORMAT))
    if not files:
        raise InputError(str(path), "no okr-coach draft backups in this directory")
    return [_load_backup(str(p), read_plain(p)) for p in files]


def _import_backups(store: Store, path: Path, rename: str | None) -> list[ImportedDraft]:
    loaded = _read_backups(path)
    if rename is not None and len(loaded) != 1:
        raise UsageError("--draft renames a single draft; this backup holds several")
    results: list[ImportedDraft] = []
    with store.unit_of_work() as uow:
        for one in loaded:
            document, versions = one.document, one.versions
            name = check_name(rename or document["name"])
            draft = uow.drafts.find(name)
            new_draft = draft is None
            if draft is None:
                draft = uow.drafts.create(name, str(document.get("created_at") or repo.timestamp()))
                if document.get("deleted_at") and rename is None:
                    uow.drafts.set_deleted(draft, str(document["deleted_at"]))
            local = [v.hash for v in reversed(uow.versions.history(draft))]
            for i, (mine, theirs) in enumerate(zip(local, versions, strict=False), start=1):
                if mine != theirs.info.hash:
                    raise InputError(
                        one.label,
                        f"draft '{name}' differs from this backup from v{i} on; nothing was "
                        "imported (import it under another name with --draft NEW)",
                    )
            extra = versions[len(local) :]
            for item in extra:
                uow.versions.insert_raw(
                    draft,
                    item.info.model_copy(update={"draft": name}),
                    item.content,
                    item.text,
                    item.text_format,
                )
            restore_cycles(uow, draft.id, document.get("cycles"), one.label, name)
            results.append(
                ImportedDraft(
                    name=name,
                    added=len(extra),
                    skipped=len(versions) - len(extra),
                    new_draft=new_draft,
                )
            )
    return results


def _free_name(uow: UnitOfWork, name: str) -> str:
    n = 2
    while uow.drafts.find(f"{name}-{n}") is not None:
        n += 1
    return f"{name}-{n}"


def _read_okr_file(path: str, format_in: str | None) -> source_text.ReadFile:
    """The sets of an OKR file; whatever a hostile file makes a reader raise is one
    ``InputError`` line, never a traceback."""
    try:
        read = source_text.read_file(path, format_in)
    except (ValueError, LookupError, TypeError, AttributeError, ArithmeticError,
            RecursionError) as exc:  # fmt: skip
        raise InputError(path, f"cannot read it as OKRs ({one_line(exc, 160)})") from None
    for okr_set in read.sets:
        try:
            repo.canonical_json(okr_set.content()).encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(
                path, "holds a lone surrogate (\\ud800-\\udfff), which is not text"
            ) from None
    return read


def import_path(
    store: Store,
    path: str,
    *,
    draft: str | None = None,
    message: str | None = None,
    author: str | None = None,
    format_in: str | None = None,
    existing: Existing = "version",
    as_new: str | None = None,
) -> list[ImportedDraft]:
    """Import what ``okr export`` wrote.

    A backup (``export --all`` directory or one draft's JSON) is restored with its
    full history after verifying every hash and head; versions already present are
    skipped. An OKR file (yaml/md/json/csv) becomes a new version of each set's draft,
    with source ``import`` (a YAML or Markdown file of one set keeps its text, comments
    too). ``existing="ask"``: when that would add a version to a draft that exists, an
    ``ExistingDraftError`` instead, nothing written (``draft``, naming the target
    explicitly, is an answer). ``as_new``: the file's one set as a new draft of that name.
    """
    target = Path(path)
    if path != "-" and target.exists() and (target.is_dir() or looks_like(target, BACKUP_FORMAT)):
        if as_new is not None:
            raise UsageError(
                "--as-new is for OKR files; restore a backup under a name with --draft"
            )
        return _import_backups(store, target, draft)
    read = _read_okr_file(path, format_in)
    sets = read.sets
    if as_new is not None and draft is not None:
        raise UsageError("--as-new NAME and --draft NAME both name the draft; give one")
    chosen = as_new if as_new is not None else draft
    if chosen is not None and len(sets) != 1:
        option = "--as-new" if as_new is not None else "--draft"
        raise UsageError(f"{path} holds {len(sets)} sets; {option} names a single one")
    stem = Path(path).stem if path != "-" else "stdin"
    names = [
        check_name(chosen or okr_set.name or (stem if len(sets) == 1 else f"{stem}-{i}"))
        for i, okr_set in enumerate(sets, start=1)
    ]
    if len(set(names)) != len(names):
        raise UsageError(f"{path}: two sets share a name; give each set a distinct name")
    label = "stdin" if path == "-" else Path(path).name
    scores = [score(okr_set) for okr_set in sets]  # before taking the write lock
    results = []
    clashes: list[str] = []
    with store.unit_of_work() as uow:
        if as_new is not None and uow.drafts.find(names[0]) is not None:
            raise UsageError(
                f"draft '{names[0]}' already exists; --as-new needs a name no draft has "
                f"(e.g. '{_free_name(uow, names[0])}')"
            )
        for name, okr_set, set_scores in zip(names, sets, scores, strict=True):
            outcome = save(
                store,
                name,
                okr_set,
                message or f"Import {label}",
                author=author,
                source="import",
                scores=set_scores,
                text=read.text if len(sets) == 1 else None,
                text_format=read.fmt,
            )
            if outcome.created and not outcome.new_draft:
                clashes.append(name)
            results.append(
                ImportedDraft(
                    name=name,
                    added=int(outcome.created),
                    skipped=int(not outcome.created),
                    new_draft=outcome.new_draft,
                )
            )
        if clashes and existing == "ask" and draft is None:
            # rolls back every save above: nothing is written until the user answers
            raise ExistingDraftError(path, clashes, _free_name(uow, clashes[0]), len(sets))
    return results
