"""Scripted answers for the review prompts, for the local fake OpenAI server.

``review_answer(body)`` answers round 1, round 2 and the facilitator the way a
cooperative model would, plus one item per answer that the guards must remove:
a point quoting words that are not in the text, a reply to a point that does not
exist, a change on a target that does not exist, and a rewrite with a date the
author never wrote.
"""

from __future__ import annotations

import re
from typing import Any

KR_LINE = re.compile(r"^\s*-\s*(O\d+\.KR\d+):\s+(.+?)(?:\s{2}\[.*\])?\s*$", re.MULTILINE)
POINT_ID = re.compile(r"^\[([a-z0-9-]+#\d+)\]", re.MULTILINE)
REVIEWER = re.compile(r"^Reviewer id: ([a-z0-9-]+)$", re.MULTILINE)
SEAT = re.compile(r"^- ([a-z0-9-]+): ", re.MULTILINE)
INVENTED_DATE = "30 Sep 2031"


def _user(body: dict[str, Any]) -> str:
    return next(str(m["content"]) for m in body["messages"] if m["role"] == "user")


def _krs(text: str) -> list[tuple[str, str]]:
    return KR_LINE.findall(text)


def round_one(text: str) -> dict[str, Any]:
    persona = REVIEWER.search(text).group(1)  # type: ignore[union-attr]
    krs = _krs(text)
    kr_id, kr_text = krs[0]
    other_id, other_text = krs[1] if len(krs) > 1 else krs[0]
    quote = " ".join(kr_text.split()[:3])
    return {
        "points": [
            {
                "target": kr_id,
                "code": "LLM-NO-DATA-SOURCE",
                "evidence": quote,
                "point": f"As {persona}, I cannot tell where '{quote}' will be measured.",
            },
            {
                "target": other_id.lower(),  # the guards normalise o1.kr2 → O1.KR2
                "code": "KR-VAGUE",
                "evidence": f"“{other_text.split()[0]}”",  # curly quotes are repaired
                "point": "This wording will be read differently by everyone.",
            },
            {
                "target": kr_id,
                "code": "LLM-MADE-UP",
                "evidence": "words the author never wrote",
                "point": "This point quotes nothing real and must be dropped.",
            },
        ],
        "questions": [{"target": kr_id, "question": f"Who owns '{quote}' day to day?"}],
    }


def round_two(text: str) -> dict[str, Any]:
    ids = POINT_ID.findall(text)
    replies = [{"to": ids[0], "stance": "agree", "reply": "Yes, and the owner should say so."}]
    if len(ids) > 2:
        replies.append(
            {
                "to": f"[{ids[2]}]",
                "stance": "disagree",
                "reply": "I read it differently: it is clear enough.",
            }
        )
    replies.append(
        {"to": "nobody#9", "stance": "agree", "reply": "A reply to a point that does not exist."}
    )
    return {"replies": replies}


def facilitator(text: str) -> dict[str, Any]:
    krs = _krs(text)
    seats = SEAT.findall(text)
    kr_id, kr_text = krs[0]
    return {
        "agreements": [
            {"target": kr_id, "personas": seats[:2], "summary": "Both want a named data source."}
        ],
        "disagreements": [
            {
                "target": krs[-1][0],
                "summary": "Whether the wording is clear enough.",
                "positions": [
                    {"persona": seats[0], "position": "It is vague."},
                    {"persona": seats[-1], "position": "It is clear enough."},
                ],
            }
        ],
        "top_changes": [
            {
                "target": kr_id,
                "change": "Name the data source and the date.",
                "evidence": " ".join(kr_text.split()[:2]),
                "rewrite": f"{kr_text.rstrip('.')} by {INVENTED_DATE}",
            },
            {
                "target": "O9.KR9",
                "change": "A change to a key result that does not exist.",
                "evidence": "",
                "rewrite": None,
            },
            {
                "target": "SET",
                "change": "Agree one owner per key result.",
                "evidence": "",
                "rewrite": None,
            },
        ],
        "open_questions": [
            {"target": kr_id, "question": "Which dashboard shows this?", "asked_by": seats[:1]}
        ],
    }


def review_answer(body: dict[str, Any]) -> dict[str, Any]:
    """Answer whichever review prompt ``body`` carries."""
    text = _user(body)
    if text.startswith("Round 1"):
        return round_one(text)
    if text.startswith("Round 2"):
        return round_two(text)
    if text.startswith("Synthesise"):
        return facilitator(text)
    raise AssertionError(f"not a review prompt: {text[:60]!r}")
