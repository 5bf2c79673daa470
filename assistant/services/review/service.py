"""The review use cases: run a session, store it with the draft version it reviewed,
list and load stored reviews, and accept one of their changes as a new version.

Which engine speaks is ``services.engines.resolve_engine``'s call; the offline
reviewer is :mod:`.offline`, the LLM one :mod:`.llm` (imported only when it is used,
so nothing here imports ``openai`` unless a request is sent).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.domain.review import Review, ReviewInfo
from assistant.errors import UsageError
from assistant.model import OKRSet, RunUsage
from assistant.rubric.critic import critique_set
from assistant.services.engines import resolve_engine
from assistant.services.personas import select_personas
from assistant.services.review.offline import offline_review

if TYPE_CHECKING:
    from openai import AsyncOpenAI

    from assistant.domain.drafts import SaveResult
    from assistant.store.reviews import ReviewRow


async def run_review_async(
    okr_set: OKRSet,
    *,
    personas: Sequence[str] | None = None,
    rounds: int = 2,
    engine: str | None = "auto",
    settings: Settings | None = None,
    home: Path | None = None,
    client: AsyncOpenAI | None = None,
    progress: Callable[[str], None] | None = None,
    keep_partial: bool = False,
) -> Review:
    """:func:`run_review` for callers already inside an event loop (the TUI's workers)."""
    if rounds not in (1, 2):
        raise UsageError(f"--rounds must be 1 or 2, not {rounds}")
    settings = settings or Settings()
    panel = select_personas(personas, home)
    chosen = resolve_engine(engine, settings)
    started = time.perf_counter()
    critique = critique_set(okr_set)  # one process: callers may be inside an event loop
    usage: RunUsage | None = None
    model = None
    prompts: dict[str, str] = {}
    if chosen == "rules":
        seats, synthesis = offline_review(okr_set, panel, rounds, critique)
    else:
        from assistant.services.review.llm import llm_review

        seats, synthesis, usage = await llm_review(
            okr_set,
            panel,
            rounds,
            critique,
            settings=settings,
            client=client,
            progress=progress,
            keep_partial=keep_partial,
            home=home,
        )
        model = settings.llm.model
        prompts = _prompt_ids(rounds)
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


def _prompt_ids(rounds: int) -> dict[str, str]:
    from assistant.llm.prompts import load_prompt

    names = ["review_persona", *(["review_reply"] if rounds >= 2 else []), "review_facilitator"]
    return {name: load_prompt(name).id for name in names}


def run_review(
    okr_set: OKRSet,
    *,
    personas: Sequence[str] | None = None,
    rounds: int = 2,
    engine: str | None = "auto",
    settings: Settings | None = None,
    home: Path | None = None,
    client: AsyncOpenAI | None = None,
    progress: Callable[[str], None] | None = None,
) -> Review:
    """Run one review session on ``okr_set`` and return the transcript and synthesis.

    ``personas``: persona names (default: every default persona); ``rounds``: 1 or 2;
    ``engine``: ``rules`` (offline), ``llm`` or ``auto``; ``home``: where user personas
    live; ``client``: an ``AsyncOpenAI``-compatible client to use instead of building one
    (it is not closed). Failed persona calls mark their seat failed (see ``Review.complete``).
    Not stored: see :func:`run_draft_review` / :func:`save_review`.
    """
    return asyncio.run(
        run_review_async(
            okr_set,
            personas=personas,
            rounds=rounds,
            engine=engine,
            settings=settings,
            home=home,
            client=client,
            progress=progress,
            keep_partial=True,  # Ctrl-C keeps the finished seats (usage.interrupted)
        )
    )


# --- storing reviews with the draft version they reviewed ----------------------------------------


def save_review(home: Path | None, review: Review, draft: str, version: int) -> Review:
    """Store ``review`` with ``draft@version``; returns it with ``id``, ``draft``, ``version``."""
    from assistant.store import open_db, repo, transaction
    from assistant.store import reviews as rows

    stored = review.model_copy(update={"draft": draft, "version": version, "id": None})
    with open_db(home) as conn, transaction(conn):
        row = repo.find_draft(conn, draft)
        if row is None or row.deleted_at is not None:
            raise UsageError(f"unknown draft '{draft}' (see `okr drafts`)")
        vid = rows.version_id(conn, row.id, version)
        if vid is None:
            raise UsageError(f"draft '{draft}' has no version {version}")
        review_id = rows.insert_review(
            conn,
            draft_id=row.id,
            version_id=vid,
            engine=review.engine,
            personas=",".join(review.personas),
            rounds=review.rounds,
            created_at=repo.timestamp(review.created_at),
            transcript=stored.model_dump_json(exclude={"id", "accepted"}),
        )
    return stored.model_copy(update={"id": review_id})


def run_draft_review(
    home: Path | None,
    ref: str,
    *,
    personas: Sequence[str] | None = None,
    rounds: int = 2,
    engine: str | None = "auto",
    settings: Settings | None = None,
    client: AsyncOpenAI | None = None,
    progress: Callable[[str], None] | None = None,
    save: bool = True,
) -> Review:
    """Review a stored draft (``NAME`` for the latest version, ``NAME@V`` for one) and store
    the transcript with that version (unless ``save=False``)."""
    from assistant.services import drafts

    name, number = drafts.parse_ref(ref)
    version = drafts.get_version(home, name, number)
    review = run_review(
        version.okr_set,
        personas=personas,
        rounds=rounds,
        engine=engine,
        settings=settings,
        home=home,
        client=client,
        progress=progress,
    )
    review = review.model_copy(update={"source": None, "set_name": version.okr_set.name or name})
    if not save:
        return review.model_copy(update={"draft": name, "version": version.number})
    return save_review(home, review, name, version.number)


def _from_row(row: ReviewRow, accepted: dict[int, int]) -> Review:
    review = Review.model_validate_json(row.transcript)
    return review.model_copy(
        update={"id": row.id, "draft": row.draft, "version": row.version, "accepted": accepted}
    )


def list_reviews(home: Path | None, draft: str) -> list[ReviewInfo]:
    """A draft's stored reviews, newest first."""
    from assistant.services import drafts
    from assistant.store import db_path, open_db, repo
    from assistant.store import reviews as rows

    name, _ = drafts.parse_ref(draft)
    if not db_path(home).exists():
        raise UsageError(f"unknown draft '{name}' (see `okr drafts`)")
    with open_db(home) as conn:
        row = repo.find_draft(conn, name)
        if row is None:
            raise UsageError(f"unknown draft '{name}' (see `okr drafts`)")
        out = []
        for r in rows.list_reviews(conn, row.id):
            review = _from_row(r, rows.accepted_changes(conn, r.id))
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


def get_review(home: Path | None, review_id: int, draft: str | None = None) -> Review:
    """One stored review (with the changes accepted from it); ``draft`` checks ownership."""
    from assistant.store import db_path, open_db
    from assistant.store import reviews as rows

    if not db_path(home).exists():
        raise UsageError(f"no review {review_id} (see `okr reviews NAME`)")
    with open_db(home) as conn:
        row = rows.get_review(conn, review_id)
        if row is None or (draft is not None and row.draft != draft):
            where = f" for draft '{draft}'" if draft else ""
            raise UsageError(f"no review {review_id}{where} (see `okr reviews NAME`)")
        return _from_row(row, rows.accepted_changes(conn, review_id))


def latest_review_id(home: Path | None, draft: str) -> int:
    reviews = list_reviews(home, draft)
    if not reviews:
        raise UsageError(f"draft '{draft}' has no stored review (run `okr review {draft}`)")
    return reviews[0].id


def accept_review_change(
    home: Path | None,
    draft: str,
    review_id: int,
    change_index: int,
    *,
    text: str | None = None,
    author: str | None = None,
) -> SaveResult:
    """Apply change number ``change_index`` (1-based, as shown) of review ``review_id`` to
    the draft's latest version, as a new version with source ``review``.

    ``text`` replaces the suggested rewrite (the user's edit of it). Refused when the
    change has no rewrite, or when its target changed since the reviewed version.
    """
    from assistant.services import drafts
    from assistant.store import ConflictError, UnitOfWork, repo
    from assistant.store import reviews as rows

    name, _ = drafts.parse_ref(draft)
    review = get_review(home, review_id, name)
    changes = review.synthesis.top_changes
    if not 1 <= change_index <= len(changes):
        span = f"1–{len(changes)}" if changes else "none"
        raise UsageError(f"review {review_id} has no change {change_index} (changes: {span})")
    change = changes[change_index - 1]
    if change.target == "SET":
        raise UsageError(
            f"change {change_index} is about the whole set ({change.text}); edit the draft yourself"
        )
    new_text = text if text is not None else change.rewrite
    if not new_text or not new_text.strip():
        raise UsageError(
            f"change {change_index} of review {review_id} offers no rewrite ({change.text}); "
            f"edit the draft yourself, or pass the new text with --text"
        )
    head = drafts.get_version(home, name)
    reviewed_text = review.okr_set.target_text(change.target)
    if head.number != review.version:
        try:
            current = head.okr_set.target_text(change.target)
        except (IndexError, ValueError):
            current = None
        if current != reviewed_text:
            raise ConflictError(
                f"{change.target} changed since review {review_id} of v{review.version}; "
                f"review the latest version again (okr review {name})"
            )
    updated = drafts.apply_rewrite(head.okr_set, change.target, new_text, change.evidence)
    scores = drafts.score(updated)  # before taking the write lock
    # One unit of work: the new version and the record of which change it accepted
    # are written together or not at all.
    with UnitOfWork(home) as uow:
        result = drafts.save(
            home,
            name,
            updated,
            f"Accept review {review_id} change {change_index}: {change.target}",
            author=author,
            source="review",
            expected_head=head.number,
            scores=scores,
            uow=uow,
            # the author's comments and layout stay: only the target's wording changes
            text=drafts.rewritten_text(head, change.target, new_text, updated),
        )
        row = repo.find_draft(uow.conn, name)
        vid = rows.version_id(uow.conn, row.id, result.version.number) if row else None
        if vid is not None:
            rows.record_acceptance(uow.conn, review_id, change_index, vid, repo.timestamp())
    return result
