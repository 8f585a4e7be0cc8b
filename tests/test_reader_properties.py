"""Any bytes in, a reading or one clear error out, in bounded time; never a crash."""

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import Dispatch, PartialDate, Reading, UnreadableDispatch, read_file
from archive.dates import parse_date

# No deadline: these check what comes out; tests/test_fuzz.py checks that the readers'
# cost grows with their input and no faster, which a busy machine cannot break.
BOUNDED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FRENCH = "abcdeéèêàçôùûîïœ ÉÀÇ«»’…–\n\t.,;:!?'\"()-0123456789"
MARKUP = ["<p>", "</p>", "<br>", "<h1>", "</h1>", "<title>", "</title>", "<script>", "</script>",
          "<nav>", "</nav>", "<article>", "</article>", '<meta property="og:title" content="',
          '<meta name="date" content="', '<time datetime="', '">', "<!--", "-->", "<![CDATA[",
          "<?xml ", "?>", "&eacute;", "&#", ";", '<script type="application/ld+json">', "{", "}",
          "date ", "2019-04", "31/02/2019", "7 avril 2019", "1er ", "M. ", "D. ", "\n\n", "« ", " »"]

text_pieces = st.one_of(st.text(alphabet=FRENCH, max_size=40), st.sampled_from(MARKUP))
french_text = st.lists(text_pieces, max_size=60).map("".join)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | french_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["title", "body", "date", "published", "author", "source", "url", "id"]),
        children, max_size=6),
    max_leaves=12,
)
jsonl_text = st.lists(
    st.one_of(json_values.map(json.dumps), french_text), max_size=8
).map("\n".join)

encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "utf-16-le"])
any_bytes = st.one_of(
    st.binary(max_size=4096),
    st.builds(lambda t, e: t.encode(e, errors="replace"), french_text, encodings),
    st.builds(lambda t, e: t.encode(e, errors="replace"), jsonl_text, encodings),
    st.builds(lambda t, b: t.encode() + b, french_text, st.binary(max_size=64)),
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("properties")


def check_reading(reading: Reading, name: str) -> None:
    assert isinstance(reading, Reading)
    assert reading.dispatches, "a reading holds at least one dispatch"
    for dispatch in reading.dispatches:
        assert isinstance(dispatch, Dispatch)
        assert dispatch.id == name or dispatch.id.startswith(f"{name}#")
        assert dispatch.paragraphs and all(isinstance(p, str) and p.strip() for p in dispatch.paragraphs)
        assert isinstance(dispatch.title, str)
        assert dispatch.date is None or isinstance(dispatch.date, PartialDate)
        assert len(dispatch.content_hash) == 32
    for problem in reading.problems:
        assert isinstance(problem, UnreadableDispatch)
        assert problem.path.startswith(name)


@pytest.mark.parametrize("suffix", [".txt", ".html", ".jsonl"])
@BOUNDED
@given(data=any_bytes)
def test_any_bytes_give_a_reading_or_unreadable_dispatch(folder, suffix, data):
    path = folder / f"hasard{suffix}"
    path.write_bytes(data)
    try:
        reading = read_file(path, folder)
    except UnreadableDispatch as error:
        assert error.path == path.name
        assert error.reason.strip()
        return
    check_reading(reading, path.name)


date_like = st.lists(
    st.one_of(
        st.sampled_from(["date", "Date:", "1er", "avril", "AOÛT", "aout", "févr.", "sept", "ſept",
                         "juıllet", "2019", "-", "/", ".", "T", ":", "Z", "+02:00", " ", "\u00a0"]),
        st.integers(min_value=0, max_value=99999).map(str),
    ),
    max_size=8,
).map("".join)


@BOUNDED
@given(text=st.one_of(st.text(), date_like))
def test_parse_date_gives_a_date_or_value_error(text):
    try:
        result = parse_date(text)
    except ValueError:
        return
    assert isinstance(result, PartialDate)
    assert PartialDate.from_iso(result.iso()) == result
