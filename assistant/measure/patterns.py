"""The spans of key-result text that are dates, periods, or numbers that are no measure.

``measure`` blanks these out before it looks for quantities, and counts the dates and
periods as deadlines. Each alternation is tried only where a word starts that could begin
it (``at_word_start``): the regex engine tries every part of an alternation at every
character otherwise, so a bare alternation costs the sum of its parts.

The same holds for the tests of where a match can start: with ``re.IGNORECASE`` every
word of an alternation is tried in turn, so a one-character class of the letters those
words start with (one step) goes first and turns most words away.
"""

from __future__ import annotations

import functools
import re


def one_of(*alternatives: str) -> str:
    """An alternation of ``alternatives`` (each starts with a letter), behind a one-step
    test of their first letters: the same matches, but a position where none of them
    can start costs one step instead of one per alternative."""
    first = sorted({a[0] for a in alternatives})
    assert all(c.isalpha() for c in first), first
    return "(?:(?=[" + "".join(first) + "])(?:" + "|".join(alternatives) + "))"


MONTHS = one_of(
    "jan(?:uary)?", "feb(?:ruary)?", "mar(?:ch)?", "apr(?:il)?", "may", "june?", "july?",
    "aug(?:ust)?", "sep(?:t(?:ember)?)?", "oct(?:ober)?", "nov(?:ember)?", "dec(?:ember)?",
)  # fmt: skip
# The words before a bare year that make it a deadline: "by 2026", "in 2027".
_YEAR_WORDS = one_of(
    "by", "in", "of", "for", "since", "until", "before", "during", "end", "through",
    "throughout", "calendar", "year",
)  # fmt: skip

_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_YEAR_SUFFIX = r"(?:(?:\s+|-|\s*')(?:FY\s?)?(?:20\d{2}|\d{2})\b(?!\s*%))"
_QUARTER = r"(?:Q[1-4]" + _YEAR_SUFFIX + r"?|FY\s?'?\d{2,4}\s*Q[1-4]|" + _YEAR + r"[-\s]?Q[1-4])"
_HALF = r"(?:H[12]" + _YEAR_SUFFIX + r"?|" + _YEAR + r"[-\s]?H[12]|(?:first|second|1st|2nd)\s+half)"

# Dates and periods: each is a deadline on its own and never a quantity.
DATE_PATTERNS = [
    r"\b" + _YEAR + r"-[01]\d-[0-3]\d\b",  # ISO date
    r"\b[0-3]?\d/[01]?\d/(?:" + _YEAR + r"|\d{2})\b",  # 31/03/2026
    r"\b[01]?\d/[0-3]?\d/(?:" + _YEAR + r"|\d{2})\b",  # 03/31/2026
    r"\b" + _DAY + r"\s+(?:of\s+)?" + MONTHS + r"\.?(?:,?\s+" + _YEAR + r")?\b",  # 31 Mar 2026
    r"\b" + MONTHS + r"\.?\s+" + _DAY + r"(?:,?\s+" + _YEAR + r")?\b(?!\s*%)",  # March 31, 2026
    r"\b" + MONTHS + r"\.?\s+" + _YEAR + r"\b",  # March 2026
    r"\b" + _QUARTER + r"\b",
    r"\b" + _HALF + r"\b",
    r"\bFY\s?'?\d{2,4}\b",
    r"\b" + _YEAR_WORDS + r"\s+20[1-4]\d\b(?![-/]\d)",
    # A bare year is a date unless a count follows it ("2025 sign-ups" is a quantity).
    r"\b20[1-4]\d\b(?![-/]\d)(?!\s*(?:%|[kKmM]\b|\+|[a-z-]*\s*(?:users|customers|sign|accounts|"
    r"leads|deals|people|members|subscribers|downloads|installs|orders|visit|tickets|requests|"
    r"calls|sessions|employees|hires|students|partners|units|transactions|reviews|responses|"
    r"signups|registrations|trials|merchants|stores|paying|active|weekly|monthly|daily|new)))",
]


def at_word_start(patterns: list[str], starts: str, first: str) -> str:
    """One alternation of ``patterns`` (each starts with ``\\b`` and a word), tried only
    where a word starts that could begin one of them (``starts``: a necessary prefix;
    ``first``: a character class of its first characters, a cheaper test before it).

    The same matches as the bare alternation, since every alternative needs that
    position anyway, but far cheaper: the bare alternation tries each of its parts at
    every character, so it costs the sum of its parts.
    """
    alternatives = "|".join(f"(?:{p})" for p in patterns)
    return r"\b(?=" + first + r")(?=" + starts + r")(?:" + alternatives + ")"


class CaseFolded:
    """A case-insensitive regex kept as two. ``lower``: the same pattern case-sensitive,
    for lower-cased ASCII text (the same matches at the same places: in ASCII, ignoring
    case is comparing lower-case forms) and 25-35% faster (sre compares each character
    through a case function otherwise, and skips a case-sensitive alternative on its
    first character without entering it); compiled now, as nearly every text is ASCII.
    ``any_case``: the pattern as written, compiled the first time a text that is not
    ASCII needs it (lower-casing it could change its length: "İ")."""

    def __init__(self, source: str, flags: int = 0) -> None:
        # \B, \D, \S, \W… would change meaning in lower case; group names must be already.
        if re.search(r"\\[A-Z]|\(\?P<[^>]*[A-Z]", source):
            raise ValueError(f"not foldable to lower case: {source[:60]}")
        self.source = source
        self.flags = flags | re.IGNORECASE
        lowered = source.lower().replace("(?p<", "(?P<")
        self.lower = re.compile(lowered, flags & ~re.IGNORECASE)

    @functools.cached_property
    def any_case(self) -> re.Pattern[str]:
        return re.compile(self.source, self.flags)

    def scan(self, text: str) -> tuple[str, re.Pattern[str]]:
        """The text to search and the pattern to search it with: ``text`` lower-cased
        with ``lower`` when it is ASCII, else ``text`` itself with ``any_case``."""
        return (text.lower(), self.lower) if text.isascii() else (text, self.any_case)


# What a date or period can start with: a digit, a month, Q1, H2, FY, first/second
# half, or one of the words before a bare year; and the first characters of those.
_DATE_STARTS = (
    r"\d|" + MONTHS + r"\.?\s|q[1-4]|h[12]|fy|(?:first|second)\s"
    r"|" + _YEAR_WORDS + r"\s+20"
)
_DATE_FIRST = r"[\dabcdefhijmnoqstuy]"
DATE_RE = CaseFolded(at_word_start(DATE_PATTERNS, _DATE_STARTS, _DATE_FIRST))

# The words every alternative of PERIOD_RE starts with, before a space (the lead) or a
# hyphen or space (the units), besides "eo" (EOQ, EOM…): its lookahead, and the
# prefilter of ``measure.date_spans``.
PERIOD_LEADS: tuple[str, ...] = tuple(
    "by before until till no in during within over end this next on".split()
)
PERIOD_UNITS = ("year", "quarter", "month")

# Period words that make a deadline without a date: "by end of March", "this quarter".
PERIOD_RE = CaseFolded(
    # Every alternative starts with one of these words (see at_word_start).
    r"\b(?=[bdeimnoqtuwy])"
    r"(?=(?:" + "|".join(PERIOD_LEADS) + r")\s|eo[qmyh]"
    r"|(?:" + "|".join(PERIOD_UNITS) + r")[-\s])(?:"
    r"\b(?:by|before|until|till|no\s+later\s+than|in|during|within\s+the\s+next|over\s+the\s+next)\s+"
    r"(?:the\s+)?(?:end\s+of\s+(?:the\s+)?)?"
    r"(?:"
    + MONTHS
    + r"|(?:this|next|the|current|coming)\s+(?:quarter|month|year|half|cycle|sprint)"
    r"|(?:quarter|month|year|cycle|half)[-\s]?end|year's\s+end"
    r"|(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+(?:weeks?|months?|quarters?|sprints?)"
    r"|launch|go-live)\b"
    r"|\b(?:end\s+of\s+(?:the\s+)?(?:"
    + MONTHS
    + r"|quarter|month|year|half|cycle|sprint|q[1-4]|h[12]))\b"
    r"|\b(?:this|next)\s+(?:quarter|month|year|half|cycle|sprint)\b"
    r"|\b(?:in|within|over|during)\s+the\s+(?:next|coming)\s+(?:\d+|two|three|four|five|six|"
    r"seven|eight|nine|ten|twelve)\s+(?:days|weeks|months|quarters|sprints)\b"
    r"|\bwithin\s+(?:\d+|two|three|four|five|six|nine|twelve)\s+(?:weeks|months|quarters)\b"
    r"|\b(?:by|before|on|until)\s+(?:next\s+|this\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"
    r"|\b(?:EOQ|EOM|EOY|EOH|year[-\s]end|quarter[-\s]end|month[-\s]end)\b"
    r")"
)

# Spans that look numeric but are not measures.
_PRODUCT_WORDS = (
    "windows|ios|ipados|macos|android|python|java|jdk|node|php|ruby|perl|gpt|claude|llama|gemini|"
    "ubuntu|debian|fedora|rhel|centos|angular|react|vue|rails|django|iphone|ipad|pixel|galaxy|"
    "xbox|playstation|ps|office|excel|html|css|http|tls|ssl|ipv|usb|wi-fi|wifi|bluetooth|"
    "postgres|postgresql|mysql|oracle|kubernetes|k8s|series|phase|stage|step|tier|level|"
    "version|release|sprint|milestone|wave|gen|generation|chapter|section|figure|soc|iso|pci|"
    "web|model|room|building|floor|pillar|track|squad|round|part|module|lesson|"
    "season|episode|wcag|oauth|ecmascript|swift|kotlin|scala|rust|dotnet|"
    "jira|slack|salesforce|hubspot|vision|roadmap|horizon|sev|priority"
)
NON_MEASURE_PATTERNS = [
    r"\b[vV]\d+(?:\.\d+)*\b",  # v2, v1.4.2
    r"\b\d+(?:\.\d+){2,}\b",  # 3.12.1
    r"\b[A-Za-z]+-\d+(?:\.\d+)?\b(?!\s*%)",  # COVID-19, ISO-27001
    r"\b[A-Za-z]+/\d+(?:\.\d+)?\b(?!\s*%)",  # HTTP/2
    r"\b[A-Za-z]+\d+[A-Za-z0-9]*\b",  # S3, EC2, OAuth2, web3, B2B
    r"\b\d+[A-Za-z]+\d+[A-Za-z0-9]*\b",  # 2FA-like tokens with trailing digits, e.g. 4K60
    r"\b\d+FA\b|\b[23]D\b|\b[345]G\b|\b[48]K(?=\s+(?:video|display|screen|stream))",
    r"\b(?:two|three|multi)[-\s](?:factor|step|way|sided)\b|\bone[-\s]click\b|\bzero[-\s]trust\b",
    r"\bdouble[-\s](?:click|check|down|tap)\w*\b",
    r"\b24\s*/\s*7\b|\b24x7\b|\b365\b(?=\s*days?\s+a\s+year)",
    r"\b1\s*:\s*1s?\b|\bone[-\s]on[-\s]one\b|\b1-on-1s?\b",
    r"\btop[-\s]+(?:\d+|three|five|ten)\s+(?:priorit\w*|goals?|things?|focus\s+areas?|projects?|"
    r"initiatives?|objectives?|themes?|bets?|risks?|issues?|concerns?|tasks?|items?|asks?|"
    r"requests?|pain\s+points?|opportunities|reasons?|learnings?)\b",
    r"\bno\.\s?1\b|\bnumber\s+one\b",  # and "#1": NON_MEASURE_RE
    r"\b(?:P|Sev|SEV)[0-4]\b",
    r"\b\d{1,2}(?:st|nd|rd|th)\s+percentile\b",  # a metric's name: "95th percentile latency"
    r"\b[A-Z]{1,3}\d\b",  # L2, P1
]
# Each of the patterns above starts with a digit, letters then a digit (v2, COVID-19,
# HTTP/2, S3, P1, Sev2) or one of these words.
_NON_MEASURE_STARTS = r"\d|[A-Za-z]++[-/]?\d|" + one_of(
    "two", "three", "multi", "one", "zero", "double", "top", "no", "number"
)
# "#1" is the one alternative that starts with no word character; it never competes
# with the others at one position, so trying it first changes no match.
NON_MEASURE_RE = CaseFolded(
    r"#\s?1\b|" + at_word_start(NON_MEASURE_PATTERNS, _NON_MEASURE_STARTS, r"\w")
)
# "Windows 11", "GPT-4", "Phase 2": a generic word-then-number regex, then a set lookup
# (one alternation of a hundred product words would be tried at every position).
PRODUCT_SET = frozenset(_PRODUCT_WORDS.split("|"))
WORD_THEN_NUMBER_RE = re.compile(
    r"\b(?=[A-Za-z][A-Za-z-]*+[\s-]?\d)([A-Za-z][A-Za-z-]*?)[\s-]?\d+(?:\.\d+)?\b(?!\s*%)"
)
