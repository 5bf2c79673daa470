"""The one integrity scheme of ``okr.db``: what every stored record's hash is computed over.

Pure functions (hashlib and json only), so migrations and backups can use them without
importing any domain code.

- A version's ``hash`` chains onto its parent's: ``sha256(content + parent_hash)`` over the
  canonical JSON of its content (:func:`chain_hash`). Its ``meta_hash`` covers that hash
  and the message, author, source, time, scores and (hash version 3) the stored text
  (:func:`metadata_hash`).
- Every other record (a draft row, a cycle, a check-in, a grade, a retrospective, a
  review, a review acceptance) has a ``row_hash`` over its fields, its kind, the hash
  version and the hash of the record before it in its chain (``prev_hash``):
  :func:`record_hash`. Fields name versions by their chain hash, never by a local row
  id, so a backup restored elsewhere recomputes the very same hashes.
- Chains: a draft's versions, a draft's cycles, a draft's reviews, and one chain per
  cycle of its events (check-ins in order, then the grade, then the retrospectives).
  Review acceptances are a set per review (:func:`set_digest`). The latest hash and the
  length of each chain are kept in ``chain_heads`` (``store.chain_heads``), so a deleted
  last record shows.

``HASH_VERSION`` numbers the scheme for every table; a row under an older one is flagged
by ``okr doctor`` (migration 0011 verified old rows once and re-hashed them).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

HASH_VERSION = 3  # what new rows get, in every table
HASH_VERSIONS = (1, 2, 3)  # what this build can verify (versions only had 1 and 2)
_DIGEST_MOD = 2**256


def _unjsonable(value: Any) -> Any:
    """What a column SQLite let someone fill with a BLOB (or any non-JSON value) hashes as."""
    if isinstance(value, bytes):
        return {"blob": value.hex()}
    return {"repr": repr(value)}


def canonical_json(content: Any) -> str:
    """The one byte-exact text of a JSON value that hashes are computed over."""
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_unjsonable
    )


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chain_hash(content_text: str, parent_hash: str | None) -> str:
    return sha256_hex(content_text + (parent_hash or ""))


def metadata_hash(
    digest: str,
    *,
    message: str,
    author: str,
    source: str,
    created_at: str,
    scores: Any,
    hash_version: int = 2,
    text: str | None = None,
    text_format: str | None = None,
) -> str:
    """The ``meta_hash`` of hash version 2 or 3: the content chain hash plus everything
    else a version records, so an edited message, author, source, time or score shows
    (version 3: also the stored text and its format). ``scores``: a ``Scores`` or None."""
    meta: dict[str, Any] = {
        "hash": digest,
        "message": message,
        "author": author,
        "source": source,
        "created_at": created_at,
        "scores": None
        if scores is None
        else [scores.clarity, scores.measurability, scores.ambition, scores.overall],
    }
    if hash_version >= 3:
        meta["text"] = text
        meta["text_format"] = text_format
    return sha256_hex(canonical_json(meta))


def record_hash(kind: str, fields: Mapping[str, Any], prev: str | None) -> str:
    """The ``row_hash`` of a record of ``kind`` with ``fields``, linked to ``prev``."""
    return sha256_hex(
        canonical_json(
            {"kind": kind, "hash_version": HASH_VERSION, "prev": prev, "fields": dict(fields)}
        )
    )


def _number(digest: Any) -> int:
    """A stored hash as a number; one that is not hex (edited) counts as its own sha256."""
    text = digest if isinstance(digest, str) else repr(digest)
    try:
        return int(text, 16)
    except ValueError:
        return int(sha256_hex(text), 16)


def set_digest(hashes: Iterable[Any]) -> str:
    """An order-free digest of a set of row hashes (sum modulo 2**256), so adding or
    replacing one member updates it without reading the others (:func:`digest_add`)."""
    total = 0
    for h in hashes:
        total = (total + _number(h)) % _DIGEST_MOD
    return f"{total:064x}"


def digest_add(digest: str | None, add: str | None = None, remove: Any = None) -> str:
    total = _number(digest) if digest else 0
    if add:
        total += _number(add)
    if remove is not None:
        total -= _number(remove)
    return f"{total % _DIGEST_MOD:064x}"


# --- the fields of each kind of record (the same builder at insert, check and backup) -----


# The builders never raise: a value someone stored that does not read as its column's
# type (text in a REAL column, a plan that is not JSON) is hashed as it is, so the check
# names the record instead of stopping.


def _json(value: Any) -> Any:
    """A JSON column's value: parsed when stored as text, as is when already parsed."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return {"unparsed": value}


def _real(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return {"unreadable": repr(value)}


def _int(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return {"unreadable": repr(value)}


def draft_fields(
    draft_id: int, name: str, created_at: str, deleted_at: str | None
) -> dict[str, Any]:
    """A draft row (local only: its id binds the row to its versions)."""
    return {"id": draft_id, "name": name, "created_at": created_at, "deleted_at": deleted_at}


def cycle_fields(
    version_hash: str | None,
    label: str,
    start: str,
    end: str,
    plan: Any,
    findings: Any,
    overall: Any,
    launched_by: str,
    launched_at: str,
) -> dict[str, Any]:
    """A launch: the launched version (by its chain hash), dates, plan and findings."""
    return {
        "version": version_hash,
        "label": label,
        "start": start,
        "end": end,
        "plan": _json(plan),
        "findings": _json(findings),
        "overall": _int(overall),
        "launched_by": launched_by,
        "launched_at": launched_at,
    }


CHECKIN_KEYS = ("kr", "on_date", "value", "raw", "confidence", "note", "source", "author",
                "created_at", "provenance")  # fmt: skip


def checkin_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """A check-in from its stored columns (``CHECKIN_KEYS``; provenance may be absent)."""
    out = {key: values.get(key) for key in CHECKIN_KEYS}
    out["value"] = _real(out["value"])
    out["confidence"] = _int(out["confidence"])
    return out


def grade_fields(
    grade: Any, graded_by: str, graded_at: str, key_results: Mapping[str, Any]
) -> dict[str, Any]:
    """The grading that closes a cycle, every KR's grade included."""
    return {
        "grade": _real(grade),
        "graded_by": graded_by,
        "graded_at": graded_at,
        "key_results": {str(k): _real(v) for k, v in dict(key_results).items()},
    }


def retro_fields(
    went_well: Any,
    did_not: Any,
    change: Any,
    lessons: Any,
    engine: str,
    summary: str | None,
    author: str,
    created_at: str,
) -> dict[str, Any]:
    return {
        "went_well": _json(went_well),
        "did_not": _json(did_not),
        "change": _json(change),
        "lessons": _json(lessons),
        "engine": engine,
        "summary": summary,
        "author": author,
        "created_at": created_at,
    }


def review_fields(
    version_hash: str | None,
    engine: str,
    personas: str,
    rounds: Any,
    created_at: str,
    transcript: str,
) -> dict[str, Any]:
    return {
        "version": version_hash,
        "engine": engine,
        "personas": personas,
        "rounds": _int(rounds),
        "created_at": created_at,
        "transcript": transcript,
    }


def acceptance_fields(
    review_hash: str | None, change: Any, version_hash: str | None, created_at: str
) -> dict[str, Any]:
    return {
        "review": review_hash,
        "change": _int(change),
        "version": version_hash,
        "created_at": created_at,
    }
