"""Backups and OKR files in and out: export a version, back up every draft with its
full history (``okr export --all``), and import either kind back.

A backup holds every version's hash (and the text it was written as, when it has
one); importing verifies the whole chain first and writes nothing when any of it does
not match. Backups written before versions kept their text import as before.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from assistant.domain.drafts import ImportedDraft, VersionInfo
from assistant.errors import InputError, UsageError, one_line, validation_message
from assistant.model import OKRSet
from assistant.paths import write_text_atomic
from assistant.services.cycle_backup import backup_cycles, restore_cycles
from assistant.services.drafts import source_text
from assistant.services.drafts.names import check_name
from assistant.services.drafts.versions import get_version, save, score
from assistant.store import repo

if TYPE_CHECKING:
    from assistant.store.store import Store

BACKUP_FORMAT = "okr-coach-draft"
MANIFEST = "manifest.json"


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


def export_all(store: Store, directory: Path) -> list[Path]:
    """Back up every draft (deleted ones too) with its full history: one JSON file per
    draft plus ``manifest.json``. ``okr import DIR`` restores it, verifying every hash."""
    drafts: list[tuple[repo.DraftRow, list[dict[str, Any]]]] = []
    cycle_data: dict[int, list[dict[str, Any]]] = {}  # launches, check-ins, grades, retros
    if store.exists():
        with store.unit_of_work(write=False) as uow:
            for draft in uow.drafts.all():
                versions = [_backup_version(r) for r in uow.versions.backup_rows(draft.id)]
                drafts.append((draft, versions))
                cycle_data[draft.id] = backup_cycles(uow, draft.id)
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
                "format_version": 1,
                "name": draft.name,
                "created_at": draft.created_at,
                "deleted_at": draft.deleted_at,
                "versions": versions,
                **({"cycles": cycle_data[draft.id]} if cycle_data.get(draft.id) else {}),
            }
            path = directory / filename
            write_text_atomic(path, json.dumps(document, ensure_ascii=False, indent=1) + "\n")
            written.append(path)
            manifest.append(
                {
                    "name": draft.name,
                    "file": filename,
                    "versions": len(versions),
                    "head": versions[-1]["hash"] if versions else None,
                }
            )
        index = {
            "format": "okr-coach-backup",
            "format_version": 1,
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


def _is_backup(path: Path) -> bool:
    if path.is_dir():
        return True
    if path.suffix.lower() != ".json":
        return False
    try:
        head = path.read_text(encoding="utf-8")[:4096]
    except (OSError, UnicodeDecodeError):
        return False
    return f'"{BACKUP_FORMAT}"' in head


@dataclass(frozen=True)
class _Entry:
    """One verified version of a backup, as it is inserted."""

    info: VersionInfo
    content: str
    hash_version: int
    meta_hash: str | None
    text: str | None = None
    text_format: str | None = None


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


def _load_backup(path: Path) -> tuple[dict[str, Any], list[_Entry]]:
    """Read one draft backup file and verify its chain. Edited metadata (hash version
    2 and 3; 3 covers the stored text too) is refused; scores are recomputed from the
    content, never taken on trust."""
    label = str(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(label, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(label, f"cannot read backup ({one_line(exc)})") from None
    except json.JSONDecodeError as exc:
        raise InputError(label, f"invalid JSON: {exc.msg}", exc.lineno) from None
    if not isinstance(document, dict) or document.get("format") != BACKUP_FORMAT:
        raise InputError(label, f'not an okr-coach draft backup (no "format": "{BACKUP_FORMAT}")')
    if document.get("format_version") != 1:
        raise InputError(
            label, f"unsupported backup format_version {document.get('format_version')!r}"
        )
    name = document.get("name")
    versions = document.get("versions")
    if not isinstance(name, str) or not isinstance(versions, list) or not versions:
        raise InputError(label, "a draft backup needs a 'name' and a non-empty 'versions' list")
    out: list[_Entry] = []
    parent: str | None = None
    for expected, entry in enumerate(versions, start=1):
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
        # Scores are derived data: recomputed from the content, and (hash version 2) the
        # stored row's meta hash covers the recomputed ones. ``meta_hash`` is not part of
        # the chain, so the chain hashes stay those of the backup.
        info = info.model_copy(update={"scores": score(okr_set)})
        new_meta = None
        if hash_version >= 2:
            new_meta = repo.metadata_hash(
                info.hash,
                message=info.message,
                author=info.author,
                source=info.source,
                created_at=entry["created_at"],
                scores=info.scores,
                hash_version=hash_version,
                text=written,
                text_format=written_format,
            )
        out.append(_Entry(info, text, hash_version, new_meta, written, written_format))
        parent = info.hash
    return document, out


def _backup_files(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]
    manifest = path / MANIFEST
    if manifest.exists():
        try:
            index = json.loads(manifest.read_text(encoding="utf-8"))
            return [path / entry["file"] for entry in index["drafts"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(
                str(manifest), f"unreadable backup manifest ({one_line(exc)})"
            ) from None
    files = sorted(p for p in path.glob("*.json") if _is_backup(p))
    if not files:
        raise InputError(str(path), "no okr-coach draft backups in this directory")
    return files


def _import_backups(store: Store, path: Path, rename: str | None) -> list[ImportedDraft]:
    loaded = [(p, *_load_backup(p)) for p in _backup_files(path)]
    if rename is not None and len(loaded) != 1:
        raise UsageError("--draft renames a single draft; this backup holds several")
    results: list[ImportedDraft] = []
    with store.unit_of_work() as uow:
        for file, document, versions in loaded:
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
                        str(file),
                        f"draft '{name}' differs from this backup from v{i} on; nothing was "
                        "imported (import it under another name with --draft NEW)",
                    )
            extra = versions[len(local) :]
            for item in extra:
                uow.versions.insert_raw(
                    draft,
                    item.info.model_copy(update={"draft": name}),
                    item.content,
                    item.hash_version,
                    item.meta_hash,
                    item.text,
                    item.text_format,
                )
            restore_cycles(uow, draft.id, document.get("cycles"), str(file), name)
            results.append(
                ImportedDraft(
                    name=name,
                    added=len(extra),
                    skipped=len(versions) - len(extra),
                    new_draft=new_draft,
                )
            )
    return results


def import_path(
    store: Store,
    path: str,
    *,
    draft: str | None = None,
    message: str | None = None,
    author: str | None = None,
    format_in: str | None = None,
) -> list[ImportedDraft]:
    """Import what ``okr export`` wrote.

    A backup (``export --all`` directory or one draft's JSON) is restored with its
    full history after verifying every hash; versions already present are skipped.
    An OKR file (yaml/md/json/csv) becomes a new version of each set's draft, with
    source ``import`` (a YAML or Markdown file of one set keeps its text, comments too).
    """
    target = Path(path)
    if path != "-" and target.exists() and _is_backup(target):
        return _import_backups(store, target, draft)
    read = source_text.read_file(path, format_in)
    sets = read.sets
    if draft is not None and len(sets) != 1:
        raise UsageError(f"{path} holds {len(sets)} sets; --draft names a single one")
    stem = Path(path).stem if path != "-" else "stdin"
    names = [
        check_name(draft or okr_set.name or (stem if len(sets) == 1 else f"{stem}-{i}"))
        for i, okr_set in enumerate(sets, start=1)
    ]
    if len(set(names)) != len(names):
        raise UsageError(f"{path}: two sets share a name; give each set a distinct name")
    results = []
    for name, okr_set in zip(names, sets, strict=True):
        label = "stdin" if path == "-" else Path(path).name
        outcome = save(
            store,
            name,
            okr_set,
            message or f"Import {label}",
            author=author,
            source="import",
            text=read.text if len(sets) == 1 else None,
            text_format=read.fmt,
        )
        results.append(
            ImportedDraft(
                name=name,
                added=int(outcome.created),
                skipped=int(not outcome.created),
                new_draft=outcome.new_draft,
            )
        )
    return results
