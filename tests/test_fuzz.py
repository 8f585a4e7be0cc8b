"""Fuzzing the readers and the query parser for crashes and runaway time.

Every input gives a result or one clear error, at a cost that grows with its size and no
faster (`tests/scaling.py`). The generated inputs
are long runs of what the regexes of archive/dates.py, archive/paragraphs.py and
index/whoosh/query.py look for (spaces, digits, apostrophes, sentence ends, month names,
operators), the shapes that make a backtracking regex or a naive loop quadratic; the
adversarial cases below were each slow or crashing once, or are the classic ones.
(tests/test_reader_properties.py fuzzes the readers with short random bytes.)
"""

from __future__ import annotations

import string
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import Reading, UnreadableDispatch, read_file
from scaling import assert_grows_linearly

# A failing example is a long run by design: Hypothesis warns that printing it is costly.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning")

# Readers and the query parser must not grow faster than their input: each case is read
# at two sizes and the times compared (`tests/scaling.py`), so a quadratic reader or a
# backtracking regex fails while a busy machine does not. Queries have no size to grow:
# a generous bound there catches a hang (hours of backtracking), not a slow machine.
HANG_SECONDS = 30.0
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

READER_PIECES = [
    " ", "\n", "\n\n", "\t", "\u00a0", "date ", "Date:", "DATE", ":", "2019", "2019-", "-04", "07", "1er",
    "/", ".", "..", "T10:00", "+02:00", "avril ", "févr. ", "ſept", "mai", "'", "’", "« ", " »", "\"",
    "M. ", "MM. ", "D. ", "J.-C. ", "Mme. ", "! ", "? ", "… ", "A", "É", "mot", "0", "9",
    "<p>", "</p>", "<div>", "<br>", "<article>", "<h1>", "<script>", "</script>", "<!--",
    '<meta property="article:published_time" content="', '">', "&amp;", "&#", "{", "[", '"title": "',
]


def runs_of(pieces=READER_PIECES, max_repeat=20_000):
    """A few pieces, each repeated up to `max_repeat` times (`date ` then 20,000 spaces)."""
    return st.lists(st.tuples(st.sampled_from(pieces), st.integers(1, max_repeat)), min_size=1, max_size=4)


@st.composite
def long_runs(draw, pieces=READER_PIECES, max_repeat=20_000, max_chars=30_000) -> str:
    """The runs of `runs_of` as one text, `max_chars` in all."""
    return "".join(piece * count for piece, count in draw(runs_of(pieces, max_repeat)))[:max_chars]


def hang_guarded(function, *args):
    started = time.perf_counter()
    result = function(*args)
    assert time.perf_counter() - started < HANG_SECONDS, f"{args!r:.80}"
    return result


def reads_linearly(folder: Path, suffix: str, make, what: str) -> None:
    """Reading `make(n)` as a `suffix` file grows with n, not faster."""
    def read(size: int) -> None:
        path = folder / f"scaled-{size}{suffix}"
        path.write_text(make(size), encoding="utf-8")
        read_or_refuse(path, folder)

    assert_grows_linearly(read, 1, what)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def read_or_refuse(path: Path, root: Path) -> Reading | UnreadableDispatch:
    try:
        reading = read_file(path, root)
    except UnreadableDispatch as error:
        assert error.reason.strip()
        return error
    assert reading.dispatches
    return reading


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".txt", ".html", ".jsonl"])
@FUZZ
@given(runs=runs_of())
def test_long_runs_are_read_in_linear_time(folder, suffix, runs):
    # 7.5 kB at scale 1, 30 kB at scale 4: a quadratic parse of 30 kB takes seconds.
    reads_linearly(folder, suffix, lambda n: "".join(piece * (count * n) for piece, count in runs)[:7_500 * n], repr(runs))


# Each case as a function of a scale n (n = 4 is four times as long).
ADVERSARIAL_TEXT = {
    "digits": lambda n: "1" * 25_000 * n,
    "date then spaces": lambda n: "date " + " " * 12_500 * n + "x",
    "date, colon, spaces": lambda n: "date" + " " * 6_250 * n + ":" + " " * 6_250 * n + "x",
    "date then digits": lambda n: "date " + "1" * 25_000 * n,
    "apostrophes": lambda n: "'" * 2_500 * n,
    "elisions": lambda n: "l'" * 12_500 * n,
    "sentence ends": lambda n: ". A" * 12_500 * n,
    "initials": lambda n: "M. " * 12_500 * n + "x",
    "closing quotes": lambda n: ". »" * 12_500 * n + " A",
    "exclamation marks": lambda n: "A" + "!" * 25_000 * n + " B",
    "day numbers": lambda n: "1 " * 12_500 * n + "avril",
    "dateless months": lambda n: "1 avril " * 7_500 * n,
    "slashes": lambda n: "date " + "1/" * 12_500 * n,
    "blank lines": lambda n: "a" + " \n" * 25_000 * n + "b",
    "one long line": lambda n: "Le mot " * 15_000 * n + ".",
}


def as_jsonl(text: str) -> str:
    return '{"title": "t", "date": "%s", "body": "%s"}' % (text[:5000].replace('"', ""), text.replace('"', ""))


@pytest.mark.parametrize("suffix", [".txt", ".html", ".jsonl"])
@pytest.mark.parametrize("name", sorted(ADVERSARIAL_TEXT))
def test_adversarial_text_is_read_in_linear_time(folder, suffix, name):
    make = ADVERSARIAL_TEXT[name]
    reads_linearly(folder, suffix, (lambda n: as_jsonl(make(n))) if suffix == ".jsonl" else make, name)


# Constructs left open: Python's HTML parser searched to the end of the page again for
# each one (`<div ` × 4,000 took 3 s; × 20,000, over a minute).
ADVERSARIAL_HTML = ["<div ", '<a href="', '<meta property="article:published_time" content="', "<!--x>",
                    "<![CDATA[x>", "<![if x>", "</", "<!x", "<?x", "<p"]


@pytest.mark.parametrize("opener", ADVERSARIAL_HTML)
def test_html_left_open_is_read_in_linear_time(folder, opener):
    reads_linearly(folder, ".html", lambda n: "<p>Un texte.</p>" + opener * (25_000 * n // len(opener)), opener)


# The query parser: operators, fields, dates and wildcards in any order and number.
QUERY_PIECES = [
    "NOT", "NON", "AND", "OR", "ET", "OU", "SAUF", "ANDNOT", "-", "(", ")", '"', "*", "?", "titre:",
    "texte:", "corps:", "path:", "date:", "2019", "2019-04", "..", "armée", "américaine", "l'", "’",
    "Libye", "a", "b*", "~", "^", "[", "]", "{", "}", " TO ", ":", "'", "\\", "/", "+", "!", "é", "«",
]
queries = st.one_of(
    st.lists(st.one_of(st.sampled_from(QUERY_PIECES), st.text(max_size=6)), max_size=30).map(" ".join),
    st.lists(st.sampled_from(QUERY_PIECES), max_size=30).map("".join),
    long_runs(QUERY_PIECES, max_repeat=2_000),
    st.text(max_size=200),
)


@pytest.fixture(scope="module")
def seeds_index(tmp_path_factory):
    from index import open_index, reindex

    directory = tmp_path_factory.mktemp("fuzz-index") / "index"
    reindex(directory, [Path(__file__).resolve().parents[1] / "seeds"])
    return open_index(directory)


def search(index, text: str):
    from index import SearchRequest, SearchResult

    result = hang_guarded(index.search, SearchRequest(query=text))
    assert isinstance(result, SearchResult)
    assert 0 <= result.total <= index.count()
    return result


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=queries)
def test_any_query_gives_a_result(seeds_index, text):
    search(seeds_index, text)
    # The dispatch page highlights the same query.
    seeds_index.get("000_4375ea2097648a51.txt", highlight=text)


ADVERSARIAL_QUERIES = {
    # Whoosh's parser crashed on these (IndexError, AssertionError): found by the fuzzing above.
    "NOT NOT *": "NOT NOT *",
    "NOT run": "NOT " * 300,
    "SAUF run": "SAUF SAUF SAUF SAUF SAUF",
    # A regex for operators left dangling read each `ANDNOT` two ways: hours of backtracking.
    "40 glued ANDNOT": "armée " + "ANDNOT" * 40 + "x",
    "glued operators": "armée " + "ORANDNOTNONETOUSAUF" * 20 + "x",
    # PartialDate raised OverflowError, not ValueError, on a huge year.
    "date:99…9": "date:" + "9" * 40,
    "date:1…1 (990 digits)": "date:" + "1" * 990,
    "100k digits": "1" * 100_000,
    "5000 open parentheses": "(" * 5_000,
    "5000 nested parentheses": "(" * 5_000 + "armée" + ")" * 5_000,
    "5000 terms": " ".join(f"mot{i}" for i in range(5_000)),
    "10k apostrophes": "'" * 10_000,
    "1001 quotes": '"' * 1_001,
    "a* b* c*": "a* b* c*",
    "a lone star": "*",
    "1000 stars": "*" * 1_000,
    "wildcards everywhere": "*a*b*c*d*e*f*g*h*i*j*k*l*m*n*o*p*",
    "1000 question marks": "?" * 1_000,
    "a long phrase": '"' + "armée américaine " * 60 + '"',
    "OU run": "a OU " * 200,
    "field run": "titre:" * 200,
    "NUL characters": "\x00" * 1_000,
    "emoji": "\U0001F600" * 500,
    "combining accents": "e\u0301" * 500,
    "range": "[a TO z]",
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL_QUERIES))
def test_adversarial_queries_answer(seeds_index, name):
    search(seeds_index, ADVERSARIAL_QUERIES[name])


def test_operators_whoosh_cannot_parse_still_search_the_words(seeds_index):
    result = search(seeds_index, "NOT NOT armée")
    assert result.total == 1
    assert "opérateurs" in result.notice


def test_an_impossible_date_in_a_query_is_a_notice(seeds_index):
    result = search(seeds_index, "armée date:" + "9" * 40)
    assert result.total == 1
    assert result.notice.startswith("date illisible ignorée")


def words_starting_with_a(count: int) -> list[str]:
    """`count` distinct words, all starting with « a », that stemming leaves distinct."""
    letters = string.ascii_lowercase
    return [f"a{letters[i // 676 % 26]}{letters[i // 26 % 26]}{letters[i % 26]}zu" for i in range(count)]


@pytest.fixture(scope="module")
def many_terms_index(tmp_path_factory):
    from index import reindex

    base = tmp_path_factory.mktemp("many-terms")
    root = base / "archive"
    root.mkdir()
    words = words_starting_with_a(6_000)
    for number in range(60):
        chunk = " ".join(words[number * 100 : (number + 1) * 100])
        (root / f"{number:02d}.txt").write_text(f" date 2019-04-01 Liste {number}\n\n{chunk}.\n")
    reindex(base / "index", [root])
    return base / "index"


def test_a_prefix_query_expands_to_a_bounded_number_of_words(many_terms_index):
    from index import SearchRequest, open_index
    from index.whoosh.query import MAX_EXPANSION, bounded, parse
    from index.whoosh.store import open_live

    ix = open_live(many_terms_index)
    with ix.reader() as reader:
        vocabulary = sum(1 for _ in reader.expand_prefix("body", "a"))
        assert vocabulary > 4 * MAX_EXPANSION  # else the bound would not be exercised
        expanded = bounded(parse("a*", ix.schema).everything, reader)
        per_field: dict[str, int] = {}
        for field, _ in expanded.iter_all_terms():
            per_field[field] = per_field.get(field, 0) + 1
    assert per_field["body_exact"] == MAX_EXPANSION  # prefixes expand over exact forms
    assert max(per_field.values()) <= MAX_EXPANSION

    index = open_index(many_terms_index)
    for text in ("a*", "a* b* c*", "a?????", "*zu", "a*zu"):
        hang_guarded(index.search, SearchRequest(query=text))
    assert index.search(SearchRequest(query="a*")).total > 0
