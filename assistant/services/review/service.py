"""The review use cases: run a session, store it with the draft version it reviewed,
list and load stored reviews, and accept one of their changes as a new version.

Which engine speaks is ``services.engines.resolve_engine``'s call; the offline
reviewer is :mod:`.offline`, the LLM one :mod:`.llm` (imported only when it is used,
so nothing here imports ``openai`` unless a request is sent). Stored reviews live in
the ``Store`` the App passes in; the user's personas in the directory it names.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from assistant.config import Settings
from assistant.domain.commands import okr_command
from assistant.domain.review import Change, Review, ReviewInfo
from assistant.errors import UsageError
from assistant.model import DryRunPlan, Objective, OKRSet, RunUsage
from assistant.rubric.critic import critique_set
from assistant.services.engines import resolve_engine
from assistant.services.personas import select_personas
from assistant.services.review.additions import with_added_text, with_key_result
from assistant.services.review.offline import offline_review

if TYPE_CHECKING:
    from assistant.domain.drafts import SaveResult
    from assistant.llm.cache import LLMCache
    from assistant.store.reviews import ReviewRow
    from assistant.store.store import Store

Progress = Callable[[str], None]


class ReviewOptions(TypedDict, total=False):
    """How a session runs, as :func:`run_review` takes it (each key optional, with its
    defaults): one value handed down from the App, not the same keywords at every level."""

    personas: Sequence[str] | None
    rounds: int
    engine: str | None
    settings: Settings | None
    personas_dir: Path | None
    mode_cache: LLMCache | None
    client: Any | None
    progress: Progress | None
    keep_partial: bool


def _check_rounds(rounds: int) -> None:
    if rounds not in (1, 2):
        raise UsageError(f"--rounds must be 1 or 2, not {rounds}")


async def run_review(
    okr_set: OKRSet,
    *,
    personas: Sequence[str] | None = None,
    rounds: int = 2,
    engine: str | None = "auto",
    settings: Settings | None = None,
    personas_dir: Path | None = None,
    mode_cache: LLMCache | None = None,
    client: Any | None = None,
    progress: Progress | None = None,
    keep_partial: bool = False,
) -> Review:
    """Run one review session on ``okr_set`` and return the transcript and synthesis.

    ``personas``: persona names (default: every default persona; the user's own are read
    from ``personas_dir``); ``rounds``: 1 or 2; ``engine``: ``rules`` (offline), ``llm`` or
    ``auto``; ``client``: an ``AsyncOpenAI``-compatible client to use instead of building
    one (it is not closed); ``mode_cache``: where the structured-output mode that worked is
    remembered; ``keep_partial``: Ctrl-C keeps the seats that finished (``okr review``).
    Failed persona calls mark their seat failed (see ``Review.complete``). Not stored: see
    :func:`run_draft_review` / :func:`save_review`.
    """
    _check_rounds(rounds)
    settings = settings or Settings()
    panel = select_personas(personas, personas_dir)
    chosen = resolve_engine(engine, settings)
    started = time.perf_counter()
    critique = critique_set(okr_set)
    usage: RunUsage | None = None
    model = None
    prompts: dict[str, str] = {}
    if chosen == "rules":
        seats, synthesis = offline_review(okr_set, panel, rounds, critique)
    else:
        from assistant.services.review.llm_panel import llm_review, prompt_ids

        seats, synthesis, usage = await llm_review(
            okr_set,
            panel,
            rounds,
            critique,
            settings=settings,
            client=client,
            progress=progress,
            keep_partial=keep_partial,
            mode_cache=mode_cache,
        )
        model = settings.llm.model
        prompts = prompt_ids(rounds)
    return Review(
        source=okr_set.source,
        set_name=okr_set.name,
        okr_set=OKRSet.model_validate(okr_set.content()),
        engine=chosen,
        model=model,
        prompts=prompts,
        personas=[p.name for p in panel],
        rounds=rounds,
        seats=seats,
        synthesis=synthesis,
        requests=usage.requests if usage is not None else 0,
        usage=usage,
        elapsed_s=round(time.perf_counter() - started, 3),
    )


def plan_review(
    okr_set: OKRSet,
    *,
    personas: Sequence[str] | None = None,
    rounds: int = 2,
    settings: Settings | None = None,
    personas_dir: Path | None = None,
) -> DryRunPlan:
    """``okr review --dry-run``: the messages the LLM review would send, reviewer seat by
    reviewer seat, and the estimate; nothing is sent and no key is needed."""
    from assistant.services.review.llm_panel import plan_llm_review

    _check_rounds(rounds)
    panel = select_personas(personas, personas_dir)
    return plan_llm_review(okr_set, panel, rounds, critique_set(okr_set), settings or Settings())


# --- storing reviews with the draft version they reviewed ----------------------------------------


def save_review(store: Store, review: Review, draft: str, version: int) -> Review:
    """Store ``review`` with ``draft@version``; returns it with ``id``, ``draft``, ``version``."""
    from assistant.store.repo import timestamp

    stored = review.model_copy(update={"draft": draft, "version": version, "id": None})
    with store.unit_of_work() as uow:
        row = uow.drafts.find(draft)
        if row is None or row.deleted_at is not None:
            raise UsageError(f"unknown draft '{draft}' (see `okr drafts`)")
        vid = uow.versions.id_of(row.id, version)
        if vid is None:
            raise UsageError(f"draft '{draft}' has no version {version}")
        review_id = uow.reviews.insert(
            draft_id=row.id,
            version_id=vid,
            engine=review.engine,
            personas=",".join(review.personas),
            rounds=review.rounds,
            created_at=timestamp(review.created_at),
            transcript=stored.model_dump_json(exclude={"id", "accepted"}),
        )
    return stored.model_copy(update={"id": review_id})


async def run_draft_review(
    store: Store, ref: str, *, save: bool = True, **options: Unpack[ReviewOptions]
) -> Review:
    """Review a stored draft (``NAME`` for the latest version, ``NAME@V`` for one) and store
    the transcript with that version (unless ``save=False``); ``options`` as
    :func:`run_review` takes them."""
    from assistant.services import drafts

    name, number = drafts.parse_ref(ref)
    version = drafts.get_version(store, name, number)
    review = await run_review(version.okr_set, **options)
    review = review.model_copy(update={"source": None, "set_name": version.okr_set.name or name})
    if not save:
        return review.model_copy(update={"draft": name, "version": version.number})
    return save_review(store, review, name, version.number)


def _from_row(row: ReviewRow, accepted: dict[int, int]) -> Review:
    review = Review.model_validate_json(row.transcript)
    return review.model_copy(
        update={"id": row.id, "draft": row.draft, "version": row.version, "accepted": accepted}
    )


def list_reviews(store: Store, draft: str) -> list[ReviewInfo]:
    """A draft's stored reviews, newest first."""
    from assistant.services import drafts

    name, _ = drafts.parse_ref(draft)
    if not store.exists():
        raise UsageError(f"unknown draft '{name}' (see `okr drafts`)")
    with store.unit_of_work(write=False) as uow:
        row = uow.drafts.find(name)
        if row is None:
            raise UsageError(f"unknown draft '{name}' (see `okr drafts`)")
        out = []
        for r in uow.reviews.of_draft(row.id):
            review = _from_row(r, uow.reviews.accepted_changes(r.id))
            out.append(
                ReviewInfo(
                    id=r.id,
                    draft=r.draft,
                    version=r.version,
                    engine=r.engine,
                    personas=review.personas,
                    rounds=r.rounds,
                    created_at=review.created_at,
                    top_changes=len(review.synthesis.top_changes),
                    failed_seats=len(review.failed_seats),
                    accepted=sorted(review.accepted),
                )
            )
    return out


def get_review(store: Store, review_id: int, draft: str | None = None) -> Review:
    """One stored review (with the changes accepted from it); ``draft`` checks ownership."""
    if not store.exists():
        raise UsageError(f"no review {review_id} (see `okr reviews NAME`)")
    with store.unit_of_work(write=False) as uow:
        row = uow.reviews.get(review_id)
        if row is None or (draft is not None and row.draft != draft):
            where = f" for draft '{draft}'" if draft else ""
            raise UsageError(f"no review {review_id}{where} (see `okr reviews NAME`)")
        return _from_row(row, uow.reviews.accepted_changes(review_id))


def review_numbers(store: Store, draft: str) -> dict[int, int]:
    """Stored review id → its number among the draft's reviews (1 = the first): what a
    person sees and types (``okr reviews plan 2``). Reviews count per draft, not across
    drafts."""
    reviews = list_reviews(store, draft)  # newest first
    return {info.id: len(reviews) - k for k, info in enumerate(reviews)}


def latest_review_id(store: Store, draft: str) -> int:
    reviews = list_reviews(store, draft)
    if not reviews:
        raise UsageError(
            f"draft '{draft}' has no stored review (run `{okr_command('review', draft)}`)"
        )
    return reviews[0].id


def accept_review_change(
    store: Store,
    draft: str,
    review_id: int,
    change_index: int,
    *,
    text: str | None = None,
    author: str | None = None,
    now: datetime | None = None,
) -> SaveResult:
    """Apply change number ``change_index`` (1-based, as shown) of review ``review_id`` to
    the draft's latest version, as a new version with source ``review``.

    ``text`` replaces the suggested rewrite (the user's edit of it). Refused when the
    change has no rewrite, or when its target changed since the reviewed version.
    """
    from assistant.services import drafts
    from assistant.store.db import ConflictError
    from assistant.store.repo import timestamp

    name, _ = drafts.parse_ref(draft)
    review = get_review(store, review_id, name)
    shown = review_numbers(store, name).get(review_id, review_id)  # the draft's review N
    changes = review.synthesis.top_changes
    if not 1 <= change_index <= len(changes):
        span = f"1–{len(changes)}" if changes else "none"
        raise UsageError(f"review {shown} has no change {change_index} (changes: {span})")
    change = changes[change_index - 1]
    if change.target == "SET":
        raise UsageError(
            f"change {change_index} is about the whole set ({change.text}); edit the draft yourself"
        )
    new_text = text if text is not None else change.rewrite
    if not new_text or not new_text.strip():
        raise UsageError(
            f"change {change_index} of review {shown} offers no rewrite ({change.text}); "
            f"edit the draft yourself, or pass the new text with --text"
        )
    head = drafts.get_version(store, name)
    if head.number != review.version and _moved_on(review.okr_set, head.okr_set, change):
        raise ConflictError(
            f"{change.target} changed since review {shown} of v{review.version}; "
            f"review the latest version again ({okr_command('review', name)})"
        )
    if change.adds_key_result:
        # a new key result of the objective: the title and the other key results stay
        updated = with_key_result(head.okr_set, change.target, new_text)
        written = with_added_text(
            head.text if head.text_format == "yaml" else None, change.target, new_text
        )
    else:
        updated = drafts.apply_rewrite(head.okr_set, change.target, new_text, change.evidence)
        # the author's comments and layout stay: only the target's wording changes
        written = drafts.rewritten_text(head, change.target, new_text, updated)
    scores = drafts.score(updated)  # before taking the write lock
    # One unit of work: the new version and the record of which change it accepted
    # are written together or not at all (the save joins it).
    with store.unit_of_work() as uow:
        result = drafts.save(
            store,
            name,
            updated,
            f"Accept review {shown} change {change_index}: {change.target}",
            author=author,
            source="review",
            expected_head=head.number,
            scores=scores,
            now=now,
            text=written,
        )
        row = uow.drafts.find(name)
        vid = uow.versions.id_of(row.id, result.version.number) if row else None
        if vid is not None:
            uow.reviews.record_acceptance(review_id, change_index, vid, timestamp(now))
    return result


def _moved_on(reviewed: OKRSet, head: OKRSet, change: Change) -> bool:
    """Whether the draft moved on under ``change`` since the reviewed version: its
    target reads differently (or is gone). An addition only needs its objective to be
    the same one: its title, or its key results, as reviewed (another accepted change
    may have reworded one of them)."""
    try:
        if not change.adds_key_result:
            return head.target_text(change.target) != reviewed.target_text(change.target)
        before, now = reviewed.locate(change.target), head.locate(change.target)
    except (IndexError, ValueError):
        return True
    if not isinstance(before, Objective) or not isinstance(now, Objective):
        return True
    same_krs = [kr.text for kr in before.key_results] == [kr.text for kr in now.key_results]
    return before.title != now.title and not same_krs
