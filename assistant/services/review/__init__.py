"""Simulated peer review: reviewers with different concerns challenge one OKR set.

A session has one *seat* per persona (``rubrics/personas/*.yaml`` plus the user's own).
Round 1: every reviewer reviews the set on their own. Round 2 (optional): every
reviewer answers the others' points. Then a facilitator synthesises: where reviewers
agree, where they disagree, the top three changes (with a rewrite where one can be
given without inventing facts) and the open questions for the author.

Two engines share the ``Review`` shape (``assistant.domain.review``):

- ``rules`` (:mod:`.offline`, deterministic): the rubric findings plus a few persona
  *lenses* (:mod:`.lenses`: jargon, data source, guardrail), weighted and phrased per
  persona; the synthesis is assembled from the transcript (:mod:`.synthesis`).
- ``llm`` (:mod:`.llm`): one structured call per persona and round, sent concurrently,
  then one facilitator call — 5 personas × 2 rounds cost 11 requests. Rewrites pass
  :mod:`.rewrites` (placeholders for invented numbers, re-scored by the rules).

The services (:mod:`.service`) are what the App's review use cases
(``assistant.use_cases.review``) call; renderers live in ``assistant.render.review``.
"""

from assistant.domain.review import (
    Agreement,
    Change,
    Disagreement,
    OpenQuestion,
    Position,
    Reply,
    Review,
    ReviewInfo,
    ReviewPoint,
    ReviewQuestion,
    Seat,
    Synthesis,
)
from assistant.services.review.rewrites import guarded_rewrite, mechanical_rewrite
from assistant.services.review.service import (
    accept_review_change,
    get_review,
    latest_review_id,
    list_reviews,
    plan_review,
    run_draft_review,
    run_review,
    save_review,
)
from assistant.services.review.synthesis import assemble_synthesis

__all__ = [
    "Agreement",
    "Change",
    "Disagreement",
    "OpenQuestion",
    "Position",
    "Reply",
    "Review",
    "ReviewInfo",
    "ReviewPoint",
    "ReviewQuestion",
    "Seat",
    "Synthesis",
    "accept_review_change",
    "assemble_synthesis",
    "get_review",
    "guarded_rewrite",
    "latest_review_id",
    "list_reviews",
    "mechanical_rewrite",
    "plan_review",
    "run_draft_review",
    "run_review",
    "save_review",
]
