"""The shared lexicon of what a key result measures: its metric words.

Words are stemmed, the rubric's synonym phrases folded to one name ("customer churn" =
"logo churn"), inverse metrics named from their positive side (on-time = not late),
dates, the move's numbers, direction verbs and stopwords dropped. SET-DUPLICATE compares
these words, and the team rules (TEAM-CONFLICT, TEAM-UNALIGNED) read them too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from assistant.measure import _blanked, scan_end
from assistant.measure.reading import read_kr
from assistant.rubric.rules import Rule

_STOPWORDS = frozenset(
    "a an the of to by for in on and or our we us from with at as per its their all each every "
    "be is are was will new this that these those my your them it than least most more less "
    "over under above below about around approx approximately only just still already total "
    "overall number share percentage percent proportion rate level count amount score value "
    "figure metric kpi current currently today baseline target last median average so while "
    "which who into across among within".split()
)
# Direction and effort words: how a KR moves a metric, not which metric it is.
_DIRECTION = {
    **dict.fromkeys(
        "increase raise grow lift boost improve expand double triple up higher rise push "
        "accelerate".split(),
        "up",
    ),
    **dict.fromkeys(
        "reduce cut decrease lower shrink halve down drop fewer fall shorten trim slash "
        "bring".split(),
        "down",
    ),
    **dict.fromkeys("reach achieve hit get attain move take drive keep maintain hold".split(), ""),
    **dict.fromkeys("launch ship release".split(), "launch"),
    **dict.fromkeys("hire recruit".split(), "hire"),
    **dict.fromkeys("sign close win".split(), "win"),
}
_TOKEN = re.compile(r"[a-z][a-z0-9']*|\d+(?:\.\d+)?", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\[[^\[\]]{1,40}\]")
_PERIODS = r"(?:day|week|month|quarter|year|night)"
_FREQUENCY = re.compile(r"\b(?:a|an|per|each|every)\s+" + _PERIODS + r"\b", re.I)
# What every match of _FREQUENCY holds; it starts with a character class, which the
# regex engine skips to fast (a pattern that starts with \b is tried at every character).
_FREQUENCY_UNIT = re.compile(r"\s" + _PERIODS + r"\b", re.I)
# _TOKEN's matches in ASCII lower-case text, in the same skip-fast form: a first
# character, then the rest of a word or of a number.
_ASCII_TOKEN = re.compile(r"[a-z0-9](?:(?<=[a-z])[a-z0-9']*|(?<=[0-9])[0-9]*(?:\.[0-9]+)?)")


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Synonym and inverse phrases of the rubric as stemmed word tuples, each with its
    canonical name, indexed by first word (longest phrase first)."""

    phrases: dict[str, list[tuple[tuple[str, ...], str]]]

    def fold(self, words: list[str]) -> list[str]:
        """``words`` with every known phrase replaced by its canonical name."""
        phrases = self.phrases
        if phrases.keys().isdisjoint(words):  # most texts: no phrase starts here
            return list(words)
        out: list[str] = []
        i = 0  # words[:i] are done
        for j in [j for j, word in enumerate(words) if word in phrases]:  # where one can start
            if j < i:
                continue  # inside the phrase just folded
            for phrase, name in phrases[words[j]]:
                if tuple(words[j : j + len(phrase)]) == phrase:
                    out += words[i:j]
                    out.append(name)
                    i = j + len(phrase)
                    break
        out += words[i:]
        return out


def _phrase_words(phrase: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in _TOKEN.findall(phrase.lower()))


@lru_cache(maxsize=4)
def _lexicon(
    synonyms: tuple[tuple[str, ...], ...], inverse: tuple[tuple[tuple[str, ...], ...], ...]
) -> Lexicon:
    canonical: dict[tuple[str, ...], str] = {}
    for g, (plus, minus) in enumerate(inverse):
        for side, names in (("p", plus), ("m", minus)):
            for name in names:
                canonical.setdefault(_phrase_words(name), f"inv{g}{side}")
    for g, names in enumerate(synonyms):
        for name in names:
            canonical.setdefault(_phrase_words(name), f"syn{g}")
    phrases: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
    for words, name in sorted(canonical.items(), key=lambda kv: -len(kv[0])):
        if words:
            phrases[words[0]].append((words, name))
    return Lexicon(dict(phrases))


_BY_RULE: dict[int, tuple[Rule, Lexicon]] = {}


def lexicon(rule: Rule) -> Lexicon:
    """The synonym/inverse lexicon of the SET-DUPLICATE rule (kept per rule object)."""
    hit = _BY_RULE.get(id(rule))
    if hit is None or hit[0] is not rule:
        synonyms = tuple(tuple(g) for g in rule.param("synonyms", ()))
        inverse = tuple(tuple(tuple(side) for side in pair) for pair in rule.param("inverse", ()))
        if len(_BY_RULE) > 64:
            _BY_RULE.clear()
        hit = _BY_RULE[id(rule)] = (rule, _lexicon(synonyms, inverse))
    return hit[1]


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    word = word.lower().strip("'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and (stem in _DIRECTION or stem + "e" in _DIRECTION):
            return stem if stem in _DIRECTION else stem + "e"
    return word


def metric_words(text: str, lex: Lexicon, *, directions: bool = False) -> list[str]:
    """The words that name what ``text`` measures, in order: synonyms folded, dates, numbers
    of the move (baseline, target) and stopwords dropped. ``directions`` keeps the verbs
    ("up"/"down" for raise/cut…). Cached: objectives and rewrites ask again and again.
    Of a very long text, only the part ``extract`` reads counts."""
    return list(_metric_words(text[: scan_end(text)], lex, directions))


@lru_cache(maxsize=16384)
def _metric_words(text: str, lex: Lexicon, directions: bool) -> tuple[str, ...]:
    m = read_kr(text).measures  # the one reading of the text (its spans)
    blank = list(m.date_spans)
    blank += [(q.start, q.end) for q in (m.baseline, m.target) if q is not None]
    cleaned = _blanked(text, blank)
    if _FREQUENCY_UNIT.search(cleaned):
        cleaned = _FREQUENCY.sub(" ", cleaned)
    cleaned = cleaned.lower()
    tokens = (_ASCII_TOKEN if cleaned.isascii() else _TOKEN).findall(cleaned)
    out: list[str] = []
    for word in lex.fold([_stem(raw) for raw in tokens]):
        if word in _DIRECTION:
            folded = _DIRECTION[word]
            if directions:  # the verb itself matters: "Win the mid-market" ≠ "Close 12 deals"
                word = folded if folded in ("up", "down") else word
            elif folded in ("up", "down", ""):
                continue
            else:
                word = folded
        if word not in _STOPWORDS:
            out.append(word)
    return tuple(out)


_FIRST_WORD = re.compile(r"[A-Za-z][\w'-]*")


@lru_cache(maxsize=16384)
def lead_word(text: str) -> str:
    """The first word of ``text`` as ``metric_words(…, directions=True)`` would give it
    (cheap: checked before the full words are worth computing)."""
    for hit in _FIRST_WORD.finditer(text, 0, 80):  # lazily: the first word usually does
        word = _stem(hit.group(0).split("-")[0])
        word = _DIRECTION.get(word, word) if _DIRECTION.get(word) in ("up", "down") else word
        if word not in _STOPWORDS:
            return word
    return ""
