"""A document read back from an index (index/stored.py) is the dispatch it was made
from, whichever backend wrote it: Whoosh's stored fields (index/whoosh/schema.py `document`)
and OpenSearch's `_source` (index/opensearch/documents.py `source`) write credits and a
missing date differently, and one reading serves both."""

from __future__ import annotations

import pytest

from archive.model import DateSource, Dispatch, PartialDate
from index import open_index
from index.fingerprints import fingerprint
from index.opensearch.documents import source
from index.results import Terms
from index.stored import dispatch_of, names, shown_date, version_of
from index.whoosh.hits import hit_of, stored_dispatch
from index.whoosh.schema import document

DATED = Dispatch(
    id="a.txt",
    source_path="a.txt",
    title="Le Parlement adopte la loi",
    paragraphs=("Paris, 7 avril 2019 (AFP) - Le Parlement a adopté la loi.", "Le texte entre en vigueur."),
    date=PartialDate(2019, 4, 7),
    date_source=DateSource.DATELINE,
    byline="Jean Dupont",
    url="https://exemple.fr/loi",
    sources=("AFP", "Le Monde"),
    authors=("Jean Dupont",),
)
UNDATED = Dispatch(id="b.txt", source_path="b.txt", title="Sans date", paragraphs=("Un seul paragraphe.",))


def whoosh_fields(dispatch: Dispatch, inferred: PartialDate | None = None) -> dict:
    return document(dispatch, 10, 0, inferred=inferred)


def opensearch_fields(dispatch: Dispatch, inferred: PartialDate | None = None) -> dict:
    return source(dispatch, 10, 0, fingerprint(dispatch.body), inferred=inferred)


@pytest.mark.parametrize("written", [whoosh_fields, opensearch_fields], ids=["whoosh", "opensearch"])
@pytest.mark.parametrize("dispatch", [DATED, UNDATED], ids=["dated", "undated"])
def test_each_backend_reads_back_the_dispatch_it_wrote(written, dispatch):
    read = dispatch_of(written(dispatch))
    # Every field, and the content hash computed from them, is the dispatch's own.
    assert read == dispatch
    assert read.content_hash == dispatch.content_hash


@pytest.mark.parametrize("written", [whoosh_fields, opensearch_fields], ids=["whoosh", "opensearch"])
def test_an_inferred_date_is_shown_but_not_taken_for_the_dispatch_s_own(written):
    fields = written(UNDATED, inferred=PartialDate(2019, 4))
    assert shown_date(fields) == (PartialDate(2019, 4), True)
    assert dispatch_of(fields).date is None and dispatch_of(fields).date_source is DateSource.NONE
    hit = hit_of(fields, 1.5, False, None)
    assert (hit.date, hit.date_inferred, hit.snippet) == (PartialDate(2019, 4), True, "")
    page = stored_dispatch(fields, Terms())
    assert page.date_inferred == PartialDate(2019, 4) and page.dispatch.date is None


@pytest.mark.parametrize("written", [whoosh_fields, opensearch_fields], ids=["whoosh", "opensearch"])
def test_a_dated_dispatch_shows_its_own_date(written):
    fields = written(DATED, inferred=PartialDate(2018))
    # A dispatch with a date of its own never takes its story's.
    assert shown_date(fields) == (PartialDate(2019, 4, 7), False)
    assert stored_dispatch(fields, Terms()).date_inferred is None


def test_credits_read_the_same_from_both_spellings():
    assert names("AFP,Le Monde") == names(["AFP", "Le Monde"]) == ("AFP", "Le Monde")
    assert names(None) == names("") == names([]) == ()


def test_a_hit_marks_its_terms_and_a_version_is_compared_with_the_shown_text():
    fields = whoosh_fields(DATED)
    assert "<mark>Parlement</mark>" in hit_of(fields, 1.0, True, Terms(exact=frozenset({"parlement"}))).snippet
    other = version_of(fields, ("Le texte entre en vigueur.",))
    assert (other.id, other.date, other.date_inferred) == ("a.txt", PartialDate(2019, 4, 7), False)
    # Compared from the shown text: its one paragraph is in the other version too, and
    # the other version's first paragraph is in that version only.
    assert [(str(b.change), b.text) for b in other.comparison.blocks] == [
        ("dropped", DATED.paragraphs[0]), ("same", "Le texte entre en vigueur."),
    ]


def test_the_dispatch_page_reads_what_the_index_stores(make_index):
    index_dir = make_index({"a.txt": "date 2019-04-07\nLe Parlement adopte la loi\n\nLe Parlement a voté.\n\nFin."})
    with open_index(index_dir) as handle:
        page = handle.get("a.txt", highlight="parlement")
    assert page.dispatch.date == PartialDate(2019, 4, 7)
    assert page.dispatch.paragraphs == ("Le Parlement a voté.", "Fin.")
    assert "<mark>Parlement</mark>" in page.title_html and "<mark>Parlement</mark>" in page.paragraphs_html[0]


def test_terms_merge_each_kind_with_its_own():
    merged = Terms(frozenset({"parl"}), frozenset({"loi"})).merged(Terms(frozenset({"vot"}), frozenset({"texte"})))
    assert merged == Terms(stems=frozenset({"parl", "vot"}), exact=frozenset({"loi", "texte"}))
