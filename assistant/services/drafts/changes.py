"""What changed between two versions: objectives and key results paired by their text
(so an edited KR is a change, not a removal plus an addition), with score deltas by
the current rubric."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from assistant.domain.drafts import (
    ChangeKind,
    Diff,
    FieldChange,
    ItemChange,
    ObjectiveChange,
    ScoreDelta,
    Version,
    VersionInfo,
)
from assistant.ids import TargetId
from assistant.model import KeyResult, Objective, OKRSet, Scores
from assistant.services.drafts.names import require, unknown, version_of

if TYPE_CHECKING:
    from assistant.store.store import Store

_KR_FIELDS = ("owner", "type", "baseline", "target", "unit", "deadline", "aligns_to", "source")
_OBJ_FIELDS = ("type", "owner", "aligns_to")
_SET_FIELDS = ("name", "owner", "cycle")

Pairs = list[tuple[int | None, int | None]]
_Change = TypeVar("_Change", bound=ItemChange)


def _text_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio()


def _objective_similarity(a: Objective, b: Objective) -> float:
    """A reworded objective whose key results mostly stayed is still the same objective."""
    title = _text_similarity(a.title, b.title)
    if not a.key_results or not b.key_results:
        return title
    shared = len({k.text for k in a.key_results} & {k.text for k in b.key_results})
    return max(title, shared / max(len(a.key_results), len(b.key_results)))


def align(
    n: int,
    m: int,
    similarity: Callable[[int, int], float],
    *,
    threshold: float = 0.4,
    pair_gaps: bool = False,
) -> Pairs:
    """Pair items of two lists in order, maximising total similarity.

    Identical items always pair; edited ones pair when similar enough, so an edited
    KR shows as changed rather than removed + added even when a neighbour moved.
    With ``pair_gaps``, leftovers between two matches pair up by position too.
    """

    def sim(i: int, j: int) -> float:
        value = similarity(i, j)
        if value >= 1.0:
            return 2.0
        return value if value >= threshold else -1.0

    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            options = [best[i + 1][j], best[i][j + 1]]
            s = sim(i, j)
            if s > 0:
                options.append(best[i + 1][j + 1] + s)
            best[i][j] = max(options)
    pairs: Pairs = []
    i = j = 0
    while i < n and j < m:
        s = sim(i, j)
        if s > 0 and best[i][j] == best[i + 1][j + 1] + s:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            pairs.append((i, None))
            i += 1
        else:
            pairs.append((None, j))
            j += 1
    pairs.extend((k, None) for k in range(i, n))
    pairs.extend((None, k) for k in range(j, m))
    pairs = _pair_moves(pairs, lambda a, b: similarity(a, b) >= 1.0)
    return _pair_gaps(pairs) if pair_gaps else pairs


def _pair_moves(pairs: Pairs, same: Callable[[int, int], bool]) -> Pairs:
    """An item that only moved (removed here, added there with the same text) is one
    pair at its new place, never a "- X" and a "+ X" for the same text."""
    removed = [i for i, j in pairs if j is None and i is not None]
    taken: set[int] = set()
    out: Pairs = []
    for i, j in pairs:
        if i is None and j is not None:
            match = next((r for r in removed if r not in taken and same(r, j)), None)
            if match is not None:
                taken.add(match)
                out.append((match, j))
                continue
        out.append((i, j))
    return [(i, j) for i, j in out if not (j is None and i in taken)]


def moved(pairs: Pairs) -> set[tuple[int, int]]:
    """The matched pairs that moved: all but the longest run kept in order (so moving
    one KR to the end marks that KR, not every KR it passed)."""
    matched = sorted((i, j) for i, j in pairs if i is not None and j is not None)
    best = [1] * len(matched)  # longest increasing run of new positions ending at k
    back = [-1] * len(matched)
    for k in range(len(matched)):
        for p in range(k):
            if matched[p][1] < matched[k][1] and best[p] + 1 > best[k]:
                best[k], back[k] = best[p] + 1, p
    kept: set[tuple[int, int]] = set()
    k = max(range(len(matched)), key=best.__getitem__, default=-1)
    while k >= 0:
        kept.add(matched[k])
        k = back[k]
    return set(matched) - kept


def _pair_gaps(pairs: Pairs) -> Pairs:
    """Between two matched items, removed and added ones pair up by position: a KR
    replaced by a very different rewrite in the same place reads as changed.
    (Objectives do not use this: a new objective in place of an old one is not an edit.)"""
    out: Pairs = []
    removed: list[int] = []
    added: list[int] = []

    def flush() -> None:
        for k in range(max(len(removed), len(added))):
            out.append(
                (removed[k] if k < len(removed) else None, added[k] if k < len(added) else None)
            )
        removed.clear()
        added.clear()

    for old_index, new_index in pairs:
        if old_index is not None and new_index is not None:
            flush()
            out.append((old_index, new_index))
        elif old_index is not None:
            removed.append(old_index)
        elif new_index is not None:
            added.append(new_index)
    flush()
    return out


def _fields(old: Any, new: Any, names: Sequence[str]) -> list[FieldChange]:
    changes = []
    for field in names:
        a, b = _value(getattr(old, field)), _value(getattr(new, field))
        if a != b:
            changes.append(FieldChange(field=field, old=a, new=b))
    return changes


def _value(value: Any) -> Any:
    """A KR's ``source:`` as written, on one line (``{"csv": "m.csv", "column": "a"}``),
    ``${VAR}`` unexpanded; other fields as they are."""
    if hasattr(value, "model_dump"):
        return json.dumps(value.model_dump(mode="json", exclude_none=True), ensure_ascii=False)
    return value


def _item(
    cls: type[_Change],
    old_id: str | None,
    new_id: str | None,
    old_text: str | None,
    new_text: str | None,
    fields: list[FieldChange],
    scores: tuple[dict[str, Scores], dict[str, Scores]],
    *,
    parts_changed: bool = False,
    moved: bool = False,
    **extra: Any,
) -> _Change:
    """One paired (or unpaired) item; an objective whose KRs changed, or an item that
    moved past a neighbour, is 'changed'."""
    kind: ChangeKind
    if old_id is None:
        kind = "added"
    elif new_id is None:
        kind = "removed"
    else:
        same = old_text == new_text and not fields and not parts_changed and not moved
        kind = "unchanged" if same else "changed"
    a = scores[0].get(old_id) if old_id else None
    b = scores[1].get(new_id) if new_id else None
    return cls(
        kind=kind,
        old_id=old_id,
        new_id=new_id,
        old_text=old_text,
        new_text=new_text,
        fields=fields,
        old_scores=a,
        new_scores=b,
        delta=ScoreDelta.between(a, b) if a and b else None,
        **extra,
    )


def _target_scores(okr_set: OKRSet) -> tuple[Scores, dict[str, Scores]]:
    from assistant.rubric.critic import critique_set

    critique = critique_set(okr_set, rewrites=False)
    by_id: dict[str, Scores] = {}
    for objective in critique.objectives:
        by_id[objective.id] = objective.scores
        for kr in objective.key_results:
            by_id[kr.id] = kr.scores
    return critique.scores, by_id


def _kr_id(objective: int | None, kr: int | None) -> str | None:
    """``O2.KR3`` for 0-based indexes (None when either side is missing)."""
    if objective is None or kr is None:
        return None
    return str(TargetId.of_kr(objective + 1, kr + 1))


def _key_results(
    a_obj: int | None,
    b_obj: int | None,
    a_krs: list[KeyResult],
    b_krs: list[KeyResult],
    scores: tuple[dict[str, Scores], dict[str, Scores]],
) -> list[ItemChange]:
    pairs = align(
        len(a_krs),
        len(b_krs),
        lambda i, j: _text_similarity(a_krs[i].text, b_krs[j].text),
        pair_gaps=True,
    )
    changes: list[ItemChange] = []
    reordered = moved(pairs)
    for ki, kj in pairs:
        ka = a_krs[ki] if ki is not None else None
        kb = b_krs[kj] if kj is not None else None
        old_id = _kr_id(a_obj, ki)
        new_id = _kr_id(b_obj, kj)
        changes.append(
            _item(
                ItemChange,
                old_id,
                new_id,
                ka.text if ka else None,
                kb.text if kb else None,
                _fields(ka, kb, _KR_FIELDS) if ka and kb else [],
                scores,
                moved=(ki, kj) in reordered,
            )
        )
    return changes


def compare(old: Version, new: Version) -> Diff:
    """Changes per objective and KR between two versions, with score deltas."""
    old_set, new_set = old.okr_set, new.okr_set
    old_total, old_scores = _target_scores(old_set)
    new_total, new_scores = _target_scores(new_set)
    scores = (old_scores, new_scores)
    objectives: list[ObjectiveChange] = []
    pairs = align(
        len(old_set.objectives),
        len(new_set.objectives),
        lambda i, j: _objective_similarity(old_set.objectives[i], new_set.objectives[j]),
    )
    reordered = moved(pairs)
    for oi, ni in pairs:
        a = old_set.objectives[oi] if oi is not None else None
        b = new_set.objectives[ni] if ni is not None else None
        a_id = str(TargetId.of_objective(oi + 1)) if oi is not None else None
        b_id = str(TargetId.of_objective(ni + 1)) if ni is not None else None
        krs = _key_results(oi, ni, a.key_results if a else [], b.key_results if b else [], scores)
        objectives.append(
            _item(
                ObjectiveChange,
                a_id,
                b_id,
                a.title if a else None,
                b.title if b else None,
                _fields(a, b, _OBJ_FIELDS) if a and b else [],
                scores,
                parts_changed=any(k.kind != "unchanged" for k in krs),
                moved=(oi, ni) in reordered,
                key_results=krs,
            )
        )
    return Diff(
        draft=new.draft,
        old=VersionInfo(**old.model_dump(exclude={"okr_set"})),
        new=VersionInfo(**new.model_dump(exclude={"okr_set"})),
        set_fields=_fields(old_set, new_set, _SET_FIELDS),
        old_scores=old_total,
        new_scores=new_total,
        delta=ScoreDelta.between(old_total, new_total),
        objectives=objectives,
    )


def diff(store: Store, name: str, old: int, new: int | None = None) -> Diff:
    """What changed from version ``old`` to ``new`` (default: the latest)."""
    if not store.exists():
        raise unknown(name)
    with store.unit_of_work(write=False) as uow:
        draft = require(uow, name)
        a = version_of(uow, draft, old)
        b = version_of(uow, draft, new)
    return compare(a, b)
