"""What a key result or objective *means*: outcome or activity, one measure or two, routine.

The checks in ``rubric.engine`` ask these questions; the answers are spans of the text
(the evidence a finding quotes), found from the word lists in ``rubrics/rules.yaml``.
Classes of phrasing, not sentences:

- an activity is work done (a task verb, a migration or rollout coverage, a launch
  named as a noun, an output or effort count, a service promised, a habit, chore or
  routine kept going) unless it is tied to a measured effect ("… that lift X from 20% to
  26%"), is a performance target ("Run 5 km in under 30 minutes", "Ship 98% of orders
  within 24 hours"), an outcome volume ("Ship 30,000 orders on launch day"), a
  conversion ("Get 1 in 4 demos to a trial") or a guardrail ("Hold errors below 2");
- a compound joins two measures that can move independently (and, while, with,
  generating…), not one measure over two segments ("SMB and mid-market revenue") and
  not a guardrail ("while keeping churn under 3%");
- an objective is a project when it leads with project work ("Upgrade to Python 3.12")
  or repeats one of its own key results.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import TypeVar

from assistant.measure import Measures, extract
from assistant.rubric.rules import Rule

Span = tuple[int, int]
T = TypeVar("T")


@lru_cache(maxsize=256)
def word_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a word list, longest first, whole words, spaces match spaces or hyphens."""
    ordered = sorted(words, key=len, reverse=True)
    body = "|".join(re.escape(w).replace(r"\ ", r"[\s-]+") for w in ordered) or r"(?!x)x"
    return re.compile(rf"(?<![\w-]){_first_letters(ordered)}(?:{body})(?![\w-])", re.IGNORECASE)


def _first_letters(words: list[str]) -> str:
    """A lookahead for the first letters of ``words``: where none starts, the engine skips
    the whole alternation at once instead of trying every word (the same matches)."""
    firsts = {w[0] if w else "" for w in words}
    if not words or "" in firsts or any(c.isspace() for c in firsts):
        return ""
    return "(?=[" + "".join(re.escape(c) for c in sorted(firsts)) + "])"


_TOKEN_RE = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=32768)
def runs(text: str) -> tuple[str, ...]:
    """The lower-case letter and digit runs of ``text``, in order."""
    return tuple(_TOKEN_RE.findall(text.lower()))


@lru_cache(maxsize=32768)
def pairs(text: str) -> frozenset[tuple[str, str]]:
    """Every two runs of ``text`` in a row ("to", "raise")."""
    seq = runs(text)
    return frozenset(zip(seq, seq[1:], strict=False))


@lru_cache(maxsize=32768)
def tokens(text: str) -> frozenset[str]:
    """The lower-case letter and digit runs of ``text``: a word list whose every phrase has
    a run missing here cannot match, and its regex is not run at all (the same answers,
    far less work: most key results hold none of a list's words)."""
    return frozenset(runs(text))


_LEAD_RUN_RE = re.compile(r"[A-Za-z0-9]+")


@lru_cache(maxsize=32768)  # several lists are matched where a key result starts
def lead_run(text: str, pos: int) -> str | None:
    """The lower-case run at ``pos`` of ASCII ``text`` ("" when none starts there);
    None for other text (no prefilter then)."""
    if not text.isascii():
        return None
    lead = _LEAD_RUN_RE.match(text, pos)
    return "" if lead is None else lead.group().lower()


def anchors(phrases: tuple[str, ...]) -> frozenset[str] | None:
    """One run each phrase needs (its longest, the last of equals: "try" of "try to",
    rarer than "to"); None when some phrase has none. Every run of a phrase is a whole
    run of the text it matches, so any one of them is a sound prefilter."""
    found: set[str] = set()
    for phrase in phrases:
        phrase_runs = _TOKEN_RE.findall(phrase.lower())
        if not phrase_runs:
            return None
        found.add(max(reversed(phrase_runs), key=len))
    return frozenset(found)


def _phrase_runs(phrases: tuple[str, ...]) -> list[tuple[str, ...]] | None:
    """The runs of each phrase; None unless every phrase is ASCII and starts with a letter
    or digit. On ASCII text a phrase's match is then its runs, in a row, the first one
    starting where the match does (its separators hold no letter or digit, and the regex
    wants no word character either side): what the prefilters below rely on."""
    found: list[tuple[str, ...]] = []
    for phrase in phrases:
        low = phrase.lower()
        phrase_runs = tuple(_TOKEN_RE.findall(low))
        if not phrase.isascii() or not phrase_runs or not low.startswith(phrase_runs[0]):
            return None
        found.append(phrase_runs)
    return found


class WordList:
    """A word list's regex (``word_regex``), skipped on texts that hold none of its words.

    The regex is compiled the first time a text gets past that prefilter: a few KRs
    never reach most lists, and compiling them all cost a small file's critique ~15 ms."""

    __slots__ = ("phrases", "needs", "_regex", "_leads", "_singles", "_pairs")

    def __init__(self, phrases: tuple[str, ...]) -> None:
        self.phrases = phrases
        self.needs = anchors(phrases)
        self._regex: re.Pattern[str] | None = None
        every = _phrase_runs(phrases)
        # On ASCII text: the first runs (``match``), and what a phrase needs, its one run
        # or its first two runs in a row (``present``; only said when some phrase has
        # several runs: otherwise ``needs`` says as much).
        self._leads = None if every is None else frozenset(seq[0] for seq in every)
        self._singles: frozenset[str] = frozenset()
        self._pairs: frozenset[tuple[str, str]] | None = None
        if every is not None and any(len(seq) > 1 for seq in every):
            self._singles = frozenset(seq[0] for seq in every if len(seq) == 1)
            self._pairs = frozenset((seq[0], seq[1]) for seq in every if len(seq) > 1)

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            self._regex = word_regex(self.phrases)
        return self._regex

    def present(self, text: str) -> bool:
        """Whether some phrase may match: its anchor run is in ``text`` and, on ASCII text,
        its first two runs are, in a row ("to raise" is not in "… from 45% to 69%")."""
        if self.needs is not None and self.needs.isdisjoint(tokens(text)):
            return False
        if self._pairs is None or not text.isascii():
            return True
        return not self._singles.isdisjoint(tokens(text)) or not self._pairs.isdisjoint(pairs(text))

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        if not self.present(text):
            return None
        return self.regex.search(text, pos, len(text) if endpos is None else endpos)

    def finditer(self, text: str, pos: int = 0) -> Iterator[re.Match[str]]:
        return self.regex.finditer(text, pos) if self.present(text) else iter(())

    def match(self, text: str, pos: int = 0) -> re.Match[str] | None:
        """The regex's match at ``pos``; on ASCII text only where the word there is the
        first run of some phrase (most lists do not start most key results)."""
        leads = self._leads
        if leads is not None:
            lead = lead_run(text, pos)
            if lead is not None and lead not in leads:
                return None
        return self.regex.match(text, pos)

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return self.regex.fullmatch(text)


_BY_RULE: dict[int, tuple[Rule, dict[str, WordList]]] = {}


def words(rule: Rule, name: str) -> WordList:
    """One word list of ``rule`` (kept per rule, then per name: asked ~15 times per key
    result, so two dictionary look-ups and no key built)."""
    kept = _BY_RULE.get(id(rule))
    if kept is None or kept[0] is not rule:
        if len(_BY_RULE) > 256:
            _BY_RULE.clear()
        kept = _BY_RULE[id(rule)] = (rule, {})
    hit = kept[1].get(name)
    if hit is None:
        hit = kept[1][name] = WordList(tuple(rule.param(name, ())))
    return hit


_DERIVED: dict[tuple[int, str, object], tuple[Rule, object]] = {}


def _derived(rule: Rule, name: str, build: Callable[[tuple[str, ...]], T]) -> T:
    """``build`` of the rule's ``name`` list, kept per rule (a regex or a word set asked
    for every key result: not rebuilt, nor its list turned into a tuple and hashed)."""
    key = (id(rule), name, build)
    hit = _DERIVED.get(key)
    if hit is None or hit[0] is not rule:
        if len(_DERIVED) > 256:
            _DERIVED.clear()
        hit = _DERIVED[key] = (rule, build(tuple(rule.param(name, ()))))
    return hit[1]  # type: ignore[return-value]


def _quantity_in(m: Measures, start: int, end: int | None = None) -> bool:
    """Whether a measure of the whole text lies in ``[start, end)``."""
    return any(q.start >= start and (end is None or q.end <= end) for q in m.quantities)


LEADING_FILLER = re.compile(
    r"^\s*(?:[-*•]\s*)?(?:(?:we|i)\s+will\s+|to\s+|successfully\s+|fully\s+|"
    r"(?:kr\s*\d*\s*[:.)-]\s*))*",
    re.IGNORECASE,
)


@lru_cache(maxsize=32768)  # asked by several checks of one key result
def lead_end(text: str) -> int:
    """Where the text starts once "We will", "KR1:" and bullets are skipped."""
    lead = LEADING_FILLER.match(text)
    return lead.end() if lead else 0


# "3 times a week", "twice a month", "every day", "each morning", "daily" (as an adverb).
_PERIOD = (
    r"(?:day|night|morning|evening|weekday|weekend|week|fortnight|month|term|semester|sprint|"
    r"shift|quarter|year|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
)
FREQUENCY_RE = re.compile(
    r"\b(?:(?:\d+|one|two|three|four|five|six|seven|ten)\s+times|once|twice|thrice)\s+"
    r"(?:a|an|per|each|every)\s+" + _PERIOD + r"\b"
    r"|\d[\d,.]*(?:\s+[\w-]+){0,3}\s+(?:a|per)\s+" + _PERIOD + r"\b"
    r"|\b(?:every|each)\s+(?:single\s+|other\s+)?" + _PERIOD + r"\b"
    r"|\b(?:daily|nightly|weekly|fortnightly|monthly)\b(?=\s*(?:$|[,.;:]|by\b|in\b|until\b|"
    r"through\b|this\b|from\b|for\b|during\b|before\b))",
    re.IGNORECASE,
)
# "in under 30 minutes", "within 24 hours", "under 15 min": the bar of a performance target.
# "Within 6 weeks" is a deadline; "under 5 days" and "within 24 hours" are a bar.
_TIME_BAR_RE = re.compile(
    r"\b(?:in\s+)?(?:under|less\s+than|below|sub-?)\s*\d+(?:[.,]\d+)?\s?"
    r"(?:ms|milliseconds?|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?|weeks?)\b"
    r"|\b(?:in|within)\s+\d+(?:[.,]\d+)?\s?"
    r"(?:ms|milliseconds?|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?)\b"
    r"|\bat\s+(?:a\s+)?pace\b",
    re.IGNORECASE,
)
# "Have every team publish…", "Get all managers to complete…": a task handed to others.
_CAUSATIVE_RE = re.compile(r"(?:have|get|make\s+sure|ensure)\s+", re.IGNORECASE)
# "Get all new hires through security training", "Get 80% of the team certified":
# our own people taken through or onto something (coverage of a rollout or a training).
_COVERAGE = r"(?:all|every|each|the\s+whole|\d+(?:\.\d+)?\s?%(?:\s+of)?)"
_INTO_RE = re.compile(
    r"(?:get|bring|take|put|move)\s+" + _COVERAGE + r"(?![\w%])[^.]*?"
    r"\b(?:through|onto|on\s+to|into|under|behind)\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=8)
def _rollout_regex(states: tuple[str, ...]) -> re.Pattern[str]:
    """ "Have 100% of servers patched", "Get all new hires certified": coverage of a rollout."""
    done = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in states) or r"(?!x)x"
    return re.compile(
        r"(?:get|have)\s+" + _COVERAGE + rf"(?![\w%])[^.]{{0,60}}?\b(?:{done})\b", re.IGNORECASE
    )


# "95% of orders on time / without errors / within 24 hours": a rate of work done well.
_SHARE_RE = re.compile(r"\s*\d+(?:\.\d+)?\s?%\s+of\b", re.IGNORECASE)
_SHARE_QUALITY_RE = re.compile(
    r"\b(?:on\s+time|on\s+schedule|on\s+budget|without|with\s+(?:zero|no)\b|error[-\s]free|"
    r"defect[-\s]free|first[-\s]time|within)\b",
    re.IGNORECASE,
)
_UNIVERSAL_RE = re.compile(r"\b(?:all|every|each|100\s?%|the\s+(?:rest|remaining))\b", re.I)


# "that lift", "which will cut": the words before the verb (the regex and its prefilter).
_EFFECT_LEADS = frozenset({"that", "which", "to", "so"})
_EFFECT_AUX = frozenset({"will", "would", "should", "can", "help"})


@lru_cache(maxsize=8)
def _effect_regex(verbs: tuple[str, ...]) -> re.Pattern[str]:
    """ "that lift", "which will cut", "to raise": a clause naming the effect of the work."""
    body = "|".join(re.escape(v) for v in sorted(verbs, key=len, reverse=True)) or r"(?!x)x"
    leads, aux = "|".join(sorted(_EFFECT_LEADS)), "|".join(sorted(_EFFECT_AUX))
    return re.compile(
        rf"\b(?:{leads})\s+(?:(?:{aux})\s+)?(?:{body})(?:s|es|d|ed|ing)?\b", re.IGNORECASE
    )


@lru_cache(maxsize=8)
def _effect_forms(verbs: tuple[str, ...]) -> frozenset[str]:
    """Every word ``_effect_regex`` can match a verb as (its prefilter)."""
    return frozenset(v.lower() + end for v in verbs for end in ("", "s", "es", "d", "ed", "ing"))


@lru_cache(maxsize=8)
def _effect_single(verbs: tuple[str, ...]) -> bool:
    """Whether every verb is one ASCII run (then ``_effect_possible`` may look at runs)."""
    return all(v.isascii() and _TOKEN_RE.fullmatch(v.lower()) for v in verbs)


def _effect_possible(rule: Rule, forms: frozenset[str], text: str) -> bool:
    """Whether ``_effect_regex`` may match: a verb form among the runs and, on ASCII text
    (where its words are whole runs in a row), one right after "that"/"which"/"to"/"so",
    or after one of those and "will"/"can"…: "… from 45% to 69%" holds "to" and "raise"
    but no such clause."""
    if forms.isdisjoint(tokens(text)):
        return False
    if not text.isascii() or not _derived(rule, "effect_verbs", _effect_single):
        return True
    seq = runs(text)
    for i in range(len(seq) - 1):
        if seq[i] in _EFFECT_LEADS:
            after = seq[i + 1]
            if after in forms or (
                after in _EFFECT_AUX and i + 2 < len(seq) and seq[i + 2] in forms
            ):
                return True
    return False


def outcome_link(rule: Rule, text: str, start: int, m: Measures | None = None) -> bool:
    """The work is tied to a measured effect after ``start`` ("… that raises X from 20% to
    26%", "… that lift retention from 41% to 48%")."""
    link = words(rule, "outcome_links").search(text, start)
    forms = _derived(rule, "effect_verbs", _effect_forms) if link is None else None
    if forms is not None and _effect_possible(rule, forms, text):
        link = _derived(rule, "effect_verbs", _effect_regex).search(text, start)
    return bool(link and _quantity_in(m or extract(text), link.end()))


def _volume(rule: Rule, text: str, after: int, m: Measures) -> bool:
    """An outcome volume right after the verb: a count or share of what customers ask of
    us ("Ship 30,000 orders", "Deliver 1.2M parcels", "Ship 95% of new orders")."""
    nouns = words(rule, "volume_nouns")
    if not nouns.present(text):
        return False
    first = next((q for q in m.quantities if q.start >= after), None)
    if first is None or first.start > after + 3 or first.kind not in ("number", "percent"):
        return False
    of = _OF_RE.match(text, first.end)
    pos = of.end() if of else first.end
    for _ in range(3):  # the noun, or up to two words before it ("30,000 new orders")
        if nouns.match(text, pos) is not None:
            return True
        word = _WORD_GAP_RE.match(text, pos)
        if word is None:
            return False
        pos = word.end()
    return False


_OF_RE = re.compile(r"\s*(?:of\s+)?", re.IGNORECASE)
_WORD_GAP_RE = re.compile(r"[\w-]+\s+")


@lru_cache(maxsize=8)
def _leads_regex(leads: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for lead phrases given as regex fragments (routine leads, promises)."""
    body = "|".join(f"(?:{x})" for x in leads) or r"(?!x)x"
    return re.compile(rf"(?:{body})\b", re.IGNORECASE)


_ROLL_OUT_RE = re.compile(r"roll(?:s|ed|ing)?\s+(?:[\w'-]+\s+){1,6}?out\b", re.IGNORECASE)
_CHANGE_AFTER_RE = re.compile(
    r"\s*(?:to\s+|with\s+)?(?:grow|reduc|rais|increas|cut|lift|lower|improv|doubl|halv|"
    r"shrink|shorten|boost|expand)\w*",
    re.IGNORECASE,
)


def _routine(rule: Rule, text: str, start: int, m: Measures) -> Span | None:
    """Keeping a recurring task going ("Continue monthly access reviews", "Keep running
    weekly restore tests"): unless a change follows ("Keep growing revenue from …")."""
    lead = _derived(rule, "routine_leads", _leads_regex).match(text, start)
    if lead is None or _CHANGE_AFTER_RE.match(text, lead.end()):
        return None
    if m.baseline is not None and m.target is not None:
        return None
    word = (
        _WORD_RE.match(text, lead.end() + 1) if text[lead.end() : lead.end() + 1] == " " else None
    )
    return (lead.start(), word.end() if word else lead.end())


def performance_bar(text: str, start: int) -> bool:
    """A performance target: the work is done to a measured bar (time, pace, a rate done well)."""
    if _TIME_BAR_RE.search(text, start):
        return True
    return bool(_SHARE_RE.match(text, start) and _SHARE_QUALITY_RE.search(text, start))


_WORD_RE = re.compile(r"[A-Za-z][\w'-]*")


def _lead_word(text: str, start: int) -> re.Match[str] | None:
    return _WORD_RE.match(text, start)


def activity_span(rule: Rule, text: str, m: Measures) -> Span | None:
    """Where the key result names work to do rather than a result, or None."""
    start = lead_end(text)
    routine = _routine(rule, text, start, m)
    if routine is not None:
        return routine
    outcome_lead = words(rule, "outcome_verbs").match(text, start)
    verb = words(rule, "verbs").match(text, start)
    if verb is None:
        verb = _ROLL_OUT_RE.match(text, start) or _derived(
            rule, "service_promises", _leads_regex
        ).match(text, start)
    if verb is not None:
        following = [q for q in m.quantities if q.start >= verb.end()]
        if following and following[0].kind == "money" and following[0].start <= verb.end() + 2:
            return None  # "Build $4M of pipeline" names an outcome, not a task
        if outcome_link(rule, text, verb.end(), m) or performance_bar(text, verb.end()):
            return None
        if _volume(rule, text, verb.end(), m):
            return None  # "Ship 30,000 orders on launch day": what customers asked of us
        return verb.span()
    first = _lead_word(text, start)
    if first is not None and _volume(rule, text, first.end(), m):
        return None  # "Process 50,000 payments a day at peak": throughput, not a habit
    handed = _handed_task(rule, text, start, m)
    if handed is not None:
        return handed
    migration = words(rule, "migration_verbs").match(text, start)
    if migration is not None and _is_migration(rule, text, migration, m):
        return migration.span()
    nominal = _nominal_launch(rule, text, start, m)
    if nominal is not None:
        return nominal
    if outcome_lead is None and words(rule, "passive").present(text):
        passive = _derived(rule, "passive", _passive_regex).search(text)
        if passive is not None:
            return passive.span()
    if outcome_link(rule, text, start, m):
        return None
    effort = _effort_count(rule, text)
    if effort is not None:
        return effort
    if outcome_lead is None and not _FREQUENCY_WORDS.isdisjoint(tokens(text)):
        frequency = None if performance_bar(text, start) else FREQUENCY_RE.search(text, start)
        # "… which we will track every week": a schedule in a side clause is no habit
        if frequency is not None and not _SIDE_CLAUSE_RE.search(text, start, frequency.start()):
            word = _lead_word(text, start)
            return (word.start(), frequency.end()) if word else frequency.span()
    return None


# Every alternative of FREQUENCY_RE needs one of these words (its prefilter).
_FREQUENCY_WORDS = frozenset(
    "day night morning evening weekday weekend week fortnight month term semester sprint shift "
    "quarter year monday tuesday wednesday thursday friday saturday sunday daily nightly weekly "
    "fortnightly monthly".split()
)
_SIDE_CLAUSE_RE = re.compile(r"\b(?:which|where|whom)\b|,\s*and\b", re.IGNORECASE)


_DETERMINER_END = re.compile(
    r"\b(?:a|an|the|every|each|all|our|its|their|his|her|new|this|that|next)\s+$", re.I
)


def _handed_task(rule: Rule, text: str, start: int, m: Measures) -> Span | None:
    """A task given to our own people ("Have every team publish its OKRs") or everyone
    taken through something ("Get all new hires through security training"). Customers
    brought to act ("Get more people to attend webinars") are an outcome."""
    through = _INTO_RE.match(text, start) or _derived(rule, "rollout_states", _rollout_regex).match(
        text, start
    )
    if through is not None and not words(rule, "people").search(text, start, through.end()):
        return through.span()
    causative = _CAUSATIVE_RE.match(text, start)
    if causative is None:
        return None
    verbs = words(rule, "verbs")
    for gap in re.finditer(r"(?:to\s+)?(?=\S)", text[causative.end() : causative.end() + 60]):
        at = causative.end() + gap.end()
        verb = verbs.match(text, at)
        if verb is not None and not _DETERMINER_END.search(text, 0, at):
            if outcome_link(rule, text, verb.end(), m) or performance_bar(text, verb.end()):
                return None
            if words(rule, "people").search(text, causative.end(), at):
                return None  # customers persuaded to act: their behaviour is the outcome
            return (start, verb.end())
    return None


def _is_migration(rule: Rule, text: str, verb: re.Match[str], m: Measures) -> bool:
    """Moving things onto something new ("Convert all invoices to e-invoicing", "Move 80%
    of workloads to Kubernetes"). Not a metric moved from X to Y, and not people persuaded
    to act ("Convert 25% of trials to paid", "Enable 500 shops to sell online")."""
    rest = text[verb.end() :]
    if m.baseline is not None and m.target is not None:
        return False
    people = words(rule, "people").search(rest[:60])
    return people is None or bool(_UNIVERSAL_RE.search(rest[: people.end()]))


@lru_cache(maxsize=8)
def _passive_regex(done: tuple[str, ...]) -> re.Pattern[str]:
    """ "The billing system is launched", "SSO live by Q3": a finished task, stated passively."""
    passive = "|".join(re.escape(w) for w in done)
    return re.compile(
        rf"\b(?:is|are|be|been|gets?|goes|go)\s+(?:fully\s+|successfully\s+)?(?:{passive})\b"
        rf"|\b(?:{passive})(?=(?:\s+(?:by|in|before|on|for|to|at|across)\b[^.]*)?[.!]?\s*$)",
        re.IGNORECASE,
    )


def _nominal_launch(rule: Rule, text: str, start: int, m: Measures) -> Span | None:
    """ "Go-live of the billing system", "Partner portal launch in Q2": a launch named as a noun."""
    nouns = words(rule, "launch_nouns")
    lead = nouns.match(text, start) or (
        nouns.match(text, start + 4) if text[start : start + 4].lower() == "the " else None
    )
    if lead is not None and re.match(r"\s+(?:of|for)\b", text[lead.end() :], re.IGNORECASE):
        return lead.span()
    if m.has_quantity or words(rule, "outcome_verbs").match(text, start):
        return None
    for hit in nouns.finditer(text, start):
        tail = text[hit.end() :]
        if re.fullmatch(r"(?:\s+(?:by|in|before|on|at|for)\b[^.]*)?[.!]?\s*", tail, re.I):
            return hit.span()
    return None


_CHANGED_BY_RE = re.compile(
    r"\b(?:double|triple|increase|raise|grow|boost|lift|expand)s?\s+"
    r"(?:the\s+|our\s+)?(?:[\w-]+\s+){0,3}$",
    re.IGNORECASE,
)
# Less effort for the same result is an outcome ("Reduce pages per on-call week").
_LESS_RE = re.compile(
    r"(?:reduce|cut|lower|decrease|halve|shrink|trim|slash|minimi[sz]e|eliminate)\b", re.I
)
_GIVERS = frozenset({"we", "i", "team"})
_EFFORT_HOURS = r"(?:[\w-]+\s+)?(?:hours?|time|sessions|days)(?:\s+of(?:\s+[\w-]+){1,3}?)?"


def _effort_count(rule: Rule, text: str) -> Span | None:
    """An output or effort counted or moved ("12 blog posts", "sales calls from 20 to 40 a
    week", "Double the hours of coaching we give", "the volunteer hours we put in")."""
    start = lead_end(text)
    if _LESS_RE.match(text, start):
        return None
    effort = words(rule, "effort_nouns")
    givers = rule.param("effort_givers")
    if givers and not _GIVERS.isdisjoint(tokens(text)):
        # "the hours of volunteer training we give", "the volunteer hours we put in"
        given = re.search(rf"\b{_EFFORT_HOURS}(?={givers})", text, re.IGNORECASE)
        if given is not None and (
            _CHANGED_BY_RE.search(text[max(0, given.start() - 40) : given.start()])
            or re.match(r"(?:\s+[\w-]+){0,8}?\s+(?:from|to)\s+\d", text[given.end() :], re.I)
        ):
            return given.span()
    for hit in effort.finditer(text):
        before = text[max(0, hit.start() - 40) : hit.start()]
        counted = re.search(
            r"(?:\d[\d,.]*\s?[kK]?|\b(?:two|three|four|five|six|ten|twelve|twenty|a\s+dozen))"
            r"\s+(?:[\w-]+\s+){0,2}$",
            before,
        ) or re.search(r"\b(?:number|count|amount)\s+of\s+(?:[\w-]+\s+){0,2}$", before, re.I)
        after = text[hit.end() : hit.end() + 40]
        moved = re.match(r"\s*(?:[\w-]+\s+){0,3}?(?:from|to)\s+\d", after, re.IGNORECASE)
        given = givers and re.match(givers, after, re.IGNORECASE)
        if counted or moved or (given and _CHANGED_BY_RE.search(before)):
            return hit.span()
    return None


_PLACEHOLDER_RE = re.compile(r"\[([^\[\]]{1,40})\]")


def placeholders(rule: Rule, text: str) -> list[str]:
    """Template blanks still in ``text`` ("[baseline]", "[target]%"), not other brackets."""
    names = words(rule, "words")
    found = [m.group(0) for m in _PLACEHOLDER_RE.finditer(text) if names.search(m.group(1))]
    return list(dict.fromkeys(found))


_ABLE_RE = re.compile(r"\b(?:can|could|are\s+able\s+to|is\s+able\s+to)\s+\w", re.I)
_ABLE_WORDS = frozenset({"can", "could", "able"})  # one of them in every _ABLE_RE match


def is_milestone(rule: Rule, text: str) -> bool:
    """A pass/fail milestone ("Pass the SOC 2 audit", "Customers can export to PDF")."""
    start = lead_end(text)
    if words(rule, "milestone_verbs").match(text, start):
        return True
    return not _ABLE_WORDS.isdisjoint(tokens(text)) and _ABLE_RE.search(text) is not None


# --- compound key results ---------------------------------------------------------------------

_TRAILING_PHRASE = re.compile(
    r"\b(?:from|for|in|among|across|of|at|on|by|with|to|between)\s+(?:[\w'-]+\s*){1,3}$", re.I
)
_GUARDRAIL = re.compile(
    r"^\s*(?:keeping|maintaining|holding|staying|remaining|protecting|preserving|"
    r"not\s+(?:exceeding|letting|dropping)|without)\b",
    re.IGNORECASE,
)
_THRESHOLD = re.compile(
    r"\b(?:above|below|under|over|at\s+least|at\s+most|of|≥|≤|>=|<=|>|<|at)\s*$", re.I
)
_MEASURE_KINDS = ("percent", "money", "ratio")


@lru_cache(maxsize=8)
def _conjunctions(joiners: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(c) for c in joiners), re.IGNORECASE)


_BETWEEN = re.compile(r"\bbetween\b(?!.*\band\b)", re.IGNORECASE)


def _and_parts(rule: Rule, text: str, m: Measures) -> list[Span]:
    """Split at "and", ";", "plus"… — but not inside "between X and Y" or a list of
    segments ("revenue from SMB and mid-market customers")."""
    parts: list[Span] = []
    last = 0
    for match in _derived(rule, "conjunctions", _conjunctions).finditer(text):
        left = text[last : match.start()]
        if _BETWEEN.search(left):
            continue
        if (
            match.group(0).strip().lower() in ("and", "&")
            and not _quantity_in(m, last, match.start())
            and _TRAILING_PHRASE.search(left)
        ):
            continue
        parts.append((last, match.start()))
        last = match.end()
    parts.append((last, len(text)))
    return [(a, b) for a, b in parts if text[a:b].strip(" ,;.")]


def _separate_measure(joiner: str, text: str, at: int, m: Measures) -> bool:
    """Whether the clause from ``at`` (after "while", "with", "generating"…) states a
    measure of its own."""
    right = text[at:]
    if joiner in ("while", "whilst") and _GUARDRAIL.match(right):
        return False  # a guardrail: the other metric is held, not moved
    quantities = [q for q in m.quantities if q.start >= at]
    if not quantities:
        return False
    if joiner != "with":
        return True
    first = quantities[0]
    if first.kind in _MEASURE_KINDS:
        return True
    # "with NPS above 45", "with a CSAT of 4.5" — not "with 3+ seats", "with at least 50 staff"
    lead = text[at : first.start]
    named = re.sub(
        r"\b(?:a|an|the|at\s+least|at\s+most|more\s+than|over|above|below|under)\b", "", lead
    )
    return bool(_THRESHOLD.search(lead) and re.search(r"[A-Za-z]{2,}", named))


def compound_parts(rule: Rule, text: str, m: Measures) -> list[str]:
    """The separate measures bundled in one key result (empty when there is one)."""
    if not m.quantities:
        return []
    verbs = words(rule, "change_verbs")
    parts = _and_parts(rule, text, m)
    if len(parts) >= 2:
        measured = [
            text[a:b].strip(" ,;.")
            for a, b in parts
            if _quantity_in(m, a, b) or verbs.match(text[a:b].strip(" ,;."))
        ]
        if len(measured) >= 2:
            return measured
    for hit in words(rule, "clause_joiners").finditer(text):
        joiner = hit.group(0).lower().split()[-1]
        if _quantity_in(m, 0, hit.start()) and _separate_measure(joiner, text, hit.end(), m):
            return [text[: hit.start()].strip(" ,;."), text[hit.end() :].strip(" ,;.")]
    return []


# --- objectives ----------------------------------------------------------------------------------


def routine_span(rule: Rule, title: str) -> Span | None:
    """ "Close the books on time every month": running a routine well, with no change sought."""
    if words(rule, "change_words").search(title):
        return None
    recurring = words(rule, "routine").search(title)
    if recurring is not None:
        return recurring.span()
    quality = words(rule, "routine_quality").search(title)
    for adjective in words(rule, "routine_adjectives").finditer(title):
        # "… monthly" is a routine; "daily users" names users unless run "on time", "smoothly"
        if adjective.group(0).lower().endswith("ly") and _ADVERB_END.match(title, adjective.end()):
            return adjective.span()
        if quality is not None:
            return quality.span()
    if quality is not None and _UNIVERSAL_RE.search(title):
        return quality.span()
    return None


_ADVERB_END = re.compile(
    r"\s*(?:$|[,.;:!]|(?:by|in|until|through|this|for|during|before|and|on|without)\b)", re.I
)


_NOT_AN_OBJECT = re.compile(
    r"\s+(?:faster|quicker|better|more|less|often|sooner|safely|smarter|confidently|"
    r"reliably|well|again|what|whatever|everything|when|on\s+time)\b",
    re.IGNORECASE,
)
_PURPOSE = re.compile(
    r"\b(?:so\s+that|so\s+(?:our|that|we|they|customers|users|teams|people)|in\s+order\s+to)\b",
    re.I,
)
_OBJECT_END = re.compile(
    r"\s+(?:that|which|who|where|for|to|with|so|across|in|at|by|from|without|while|and)\b|[,.;:]",
    re.IGNORECASE,
)


def project_span(rule: Rule, title: str) -> Span | None:
    """The objective leads with project work ("Upgrade to Python 3.12", "Launch the new app")."""
    start = lead_end(title)
    if _PURPOSE.search(title):
        return None
    hard = words(rule, "project_verbs").match(title, start)
    if hard is not None:
        return None if _NOT_AN_OBJECT.match(title, hard.end()) else hard.span()
    soft = words(rule, "build_verbs").match(title, start)
    if soft is None:
        return None
    rest = title[soft.end() :]
    end = _OBJECT_END.search(rest)
    obj = rest[: end.start() if end else len(rest)].split()
    if obj and words(rule, "artefacts").fullmatch(obj[-1].strip(".,")):
        return soft.span()
    return None
