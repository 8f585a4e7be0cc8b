"""Versions of one story: grouping at reindex, collapsed results, inferred dates, the
comparison of versions, « Dépêches similaires », and their JSON."""

import os
import shutil
from pathlib import Path

import pytest
from datasketch import MinHash

from archive import PartialDate, read_file
from index import SearchRequest, Sort, open_index, reindex
from index.compare import Change, compare
from index.fingerprints import MINHASH_SEED, NUM_PERM, fingerprint, same_story
from index.grouping import common_date

SEED_000 = "000_4375ea2097648a51.txt"
SEED_002 = "002_eb2ed1d0cd4a9010.txt"

# Written for these tests: a Libya dispatch of another story (for « similaires »), and
# a text on an unrelated subject to put in 002's place.
OTHER_LIBYA = """ date 2019-04-10 L'émissaire de l'ONU reporte la conférence nationale libyenne

L'émissaire des Nations unies pour la Libye a annoncé mercredi le report sine die de la conférence nationale qui devait se tenir mi-avril à Ghadamès, en raison de l'offensive lancée sur Tripoli.

« Nous ne pouvons pas demander aux participants de venir sous les bombes », a-t-il expliqué devant la presse à Tripoli, où les combats entre les forces du maréchal Haftar et celles du gouvernement d'union nationale se poursuivaient au sud de la ville.

La conférence devait réunir plus d'une centaine de délégués libyens pour préparer des élections et sortir le pays de la crise politique qui dure depuis la chute du régime en 2011.
"""
UNRELATED = """Le festival de musique de la ville s'ouvrira le premier week-end de juin avec une soirée consacrée au jazz manouche, ont annoncé mardi les organisateurs.

Une trentaine de concerts gratuits sont prévus sur les places du centre historique, ainsi qu'une scène ouverte pour les écoles de musique de la région.

Les organisateurs espèrent accueillir plus de vingt mille spectateurs, malgré des travaux sur la ligne de tramway qui dessert le quartier de la gare.
"""


def _archive(tmp_path: Path, seeds_dir: Path, *names: str) -> Path:
    root = tmp_path / "archive"
    root.mkdir()
    for name in names:
        shutil.copy(seeds_dir / name, root / name)
    return root


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    # A later mtime whatever the file system's clock resolution: the change is seen.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))


def _stamps(index_dir: Path, ids) -> dict:
    ix = open_index(index_dir)
    stamps = {}
    for dispatch_id in ids:
        stored = ix.get(dispatch_id)
        stamps[dispatch_id] = (stored.story_id, stored.date_inferred)
    return stamps


def _seed(seeds_dir: Path, name: str):
    return read_file(seeds_dir / name, seeds_dir).dispatches[0]


# --- Fingerprints and the versions test ----------------------------------------------


def test_signature_is_datasketch_minhash(seeds_dir):
    found = fingerprint(_seed(seeds_dir, SEED_002).body)
    expected = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, hashfunc=int)
    expected.update_batch(found.shingles.tolist())
    assert found.signature.tolist() == expected.hashvalues.tolist()


def test_seed_versions_pass_on_containment(seeds_dir):
    old, new = _seed(seeds_dir, SEED_000), _seed(seeds_dir, SEED_002)
    a, b = fingerprint(old.body).shingles, fingerprint(new.body).shingles
    assert same_story(a, b, old.date, new.date)
    # Dated too far apart, the same bodies are not versions of one story.
    assert not same_story(a, b, PartialDate(2019, 4, 1), PartialDate(2019, 4, 10))
    assert same_story(a, b, PartialDate(2019, 4), PartialDate(2019, 5, 2))
    assert not same_story(a, fingerprint(UNRELATED).shingles, old.date, None)


def test_common_date():
    assert common_date([PartialDate(2019, 4), None]) == PartialDate(2019, 4)
    assert common_date([PartialDate(2019, 4, 7), PartialDate(2019, 4, 7)]) == PartialDate(2019, 4, 7)
    assert common_date([PartialDate(2019, 4, 7), PartialDate(2019, 4, 8)]) == PartialDate(2019, 4)
    assert common_date([PartialDate(2019, 4, 30), PartialDate(2019, 5, 1)]) == PartialDate(2019)
    assert common_date([PartialDate(2019, 12, 31), PartialDate(2020, 1, 1)]) is None
    assert common_date([None, None]) is None


# --- Grouping on the seeds -------------------------------------------------------------


def test_seeds_are_one_story_and_002_inherits_the_date(index_dir):
    ix = open_index(index_dir)
    old, new = ix.get(SEED_000), ix.get(SEED_002)
    assert old.story_id == new.story_id == SEED_000
    assert new.dispatch.date is None  # its own date stays unknown
    assert new.date_inferred == PartialDate(2019, 4)
    assert old.dispatch.date == PartialDate(2019, 4) and old.date_inferred is None


def test_search_collapses_versions(index_dir):
    ix = open_index(index_dir)
    result = ix.search(SearchRequest("Haftar"))
    assert result.total == 1
    assert len(result.hits) == 1
    hit = result.hits[0]
    assert hit.story_id == SEED_000
    assert {hit.id, *hit.other_versions} == {SEED_000, SEED_002}
    assert len(hit.other_versions) == 1
    assert result.facets.years[0].value == "2019" and result.facets.years[0].count == 1
    assert result.facets.undated == 0

    every = ix.search(SearchRequest("Haftar", collapse_versions=False))
    assert every.total == 2
    assert sorted(h.id for h in every.hits) == [SEED_000, SEED_002]
    assert all(h.other_versions == () for h in every.hits)
    assert [(f.value, f.count) for f in every.facets.years] == [("2019", 2)]


def test_collapsed_by_date_and_inferred_dates_in_filters(index_dir):
    ix = open_index(index_dir)
    oldest = ix.search(SearchRequest("combats", sort=Sort.OLDEST))
    assert oldest.total == 1 and len(oldest.hits) == 1
    assert oldest.hits[0].other_versions
    # 002 is counted in April 2019 (inferred), and no longer among the undated.
    april = ix.search(SearchRequest("Pompeo", month="2019-04", collapse_versions=False))
    assert [h.id for h in april.hits] == [SEED_002]
    hit = april.hits[0]
    assert hit.date == PartialDate(2019, 4) and hit.date_inferred
    assert ix.search(SearchRequest("Pompeo", undated=True)).total == 0
    months = ix.search(SearchRequest("", year=2019, collapse_versions=False)).facets.months
    assert [(f.value, f.count) for f in months] == [("2019-04", 2)]


def test_comparison_shows_the_pompeo_paragraphs_added(index_dir, seeds_dir):
    new = open_index(index_dir).get(SEED_002)
    assert [v.id for v in new.versions] == [SEED_000]
    version = new.versions[0]
    assert version.date == PartialDate(2019, 4) and not version.date_inferred
    comparison = version.comparison
    paragraphs = _seed(seeds_dir, SEED_002).paragraphs
    old_paragraphs = _seed(seeds_dir, SEED_000).paragraphs
    assert comparison.added == paragraphs[:6]
    assert "Pompeo" in comparison.added[0]
    assert comparison.dropped == old_paragraphs[:4]
    assert comparison.same == 3
    assert [b.text for b in comparison.blocks if b.change is Change.SAME] == list(paragraphs[7:])
    (reworded,) = comparison.reworded
    assert reworded.text == paragraphs[6] and reworded.other == old_paragraphs[4]
    assert (Change.DROPPED, "du maréchal Haftar") in reworded.words
    assert (Change.ADDED, "de l'ANL") in reworded.words
    # Seen from 000, the same paragraphs are what 002 has and 000 does not.
    back = open_index(index_dir).get(SEED_000).versions[0].comparison
    assert back.dropped == paragraphs[:6] and back.added == old_paragraphs[:4]


def test_compare_identical_and_disjoint():
    assert compare(("a b c", "d e f"), ("a  b c", "d e f")).same == 2
    disjoint = compare(("un deux trois",), ("quatre cinq six",))
    assert disjoint.added == ("un deux trois",) and disjoint.dropped == ("quatre cinq six",)


# --- Incremental updates -------------------------------------------------------------


def test_rewriting_002_with_unrelated_text_splits_the_story(tmp_path, seeds_dir):
    root = _archive(tmp_path, seeds_dir, SEED_000, SEED_002)
    index_dir = tmp_path / "index"
    reindex(index_dir, [root])
    _write(root / SEED_002, UNRELATED)
    report = reindex(index_dir, [root])
    assert report.updated == 1 and report.added == 0
    stamps = _stamps(index_dir, [SEED_000, SEED_002])
    assert stamps == {SEED_000: (SEED_000, None), SEED_002: (SEED_002, None)}
    assert open_index(index_dir).search(SearchRequest("festival", undated=True)).total == 1
    assert open_index(index_dir).get(SEED_000).versions == ()


def test_dated_version_added_after_the_undated_one(tmp_path, seeds_dir):
    root = _archive(tmp_path, seeds_dir, SEED_002)
    index_dir = tmp_path / "index"
    reindex(index_dir, [root])
    assert _stamps(index_dir, [SEED_002]) == {SEED_002: (SEED_002, None)}
    assert open_index(index_dir).search(SearchRequest("Pompeo")).facets.undated == 1

    shutil.copy(seeds_dir / SEED_000, root / SEED_000)
    report = reindex(index_dir, [root])
    assert (report.added, report.updated, report.unchanged) == (1, 0, 1)
    assert _stamps(index_dir, [SEED_000, SEED_002]) == {
        SEED_000: (SEED_000, None),
        SEED_002: (SEED_000, PartialDate(2019, 4)),
    }
    ix = open_index(index_dir)
    assert ix.count() == 2
    # The rewritten dispatch is whole and still found by its words.
    assert len(ix.get(SEED_002).dispatch.paragraphs) == 10
    assert ix.search(SearchRequest("Pompeo", month="2019-04")).total == 1

    # Removing the dated version takes the inferred date away again.
    (root / SEED_000).unlink()
    reindex(index_dir, [root])
    assert _stamps(index_dir, [SEED_002]) == {SEED_002: (SEED_002, None)}


def test_incremental_stories_match_a_full_rebuild(tmp_path, seeds_dir):
    root = _archive(tmp_path, seeds_dir, SEED_002)
    index_dir = tmp_path / "index"
    reindex(index_dir, [root])
    _write(root / "other.txt", OTHER_LIBYA)
    shutil.copy(seeds_dir / SEED_000, root / SEED_000)
    # A third version: 000 again, re-sent under another name two days later.
    _write(root / "zz_resent.txt", (seeds_dir / SEED_000).read_text().replace("date 2019-04", "date 2019-04-09"))
    reindex(index_dir, [root])
    ids = [SEED_000, SEED_002, "other.txt", "zz_resent.txt"]
    incremental = _stamps(index_dir, ids)
    assert incremental["zz_resent.txt"] == (SEED_000, None)
    assert incremental[SEED_002] == (SEED_000, PartialDate(2019, 4))
    assert incremental["other.txt"] == ("other.txt", None)
    reindex(index_dir, [root], rebuild=True)
    assert _stamps(index_dir, ids) == incremental

    # 000 removed: the other two versions still share enough to stay one story, now
    # under the smaller of their ids, and 002 takes the date of the one left.
    (root / SEED_000).unlink()
    reindex(index_dir, [root])
    assert _stamps(index_dir, ids[1:]) == {
        SEED_002: (SEED_002, PartialDate(2019, 4, 9)),
        "zz_resent.txt": (SEED_002, None),
        "other.txt": ("other.txt", None),
    }


def test_noop_reindex_writes_nothing(tmp_path, seeds_dir):
    root = _archive(tmp_path, seeds_dir, SEED_000, SEED_002)
    index_dir = tmp_path / "index"
    reindex(index_dir, [root])
    toc = sorted(p.name for p in index_dir.iterdir())
    report = reindex(index_dir, [root])
    assert report.changed == 0 and report.unchanged == 2
    assert sorted(p.name for p in index_dir.iterdir()) == toc


# --- Paging collapsed results, similar dispatches ------------------------------------


@pytest.fixture
def libya_index(tmp_path, seeds_dir) -> Path:
    root = _archive(tmp_path, seeds_dir, SEED_000, SEED_002)
    _write(root / "other.txt", OTHER_LIBYA)
    _write(root / "unrelated.txt", " date 2019-06-04 " + UNRELATED)
    index_dir = tmp_path / "index"
    reindex(index_dir, [root])
    return index_dir


def test_collapsed_pages_hold_one_story_each(libya_index):
    ix = open_index(libya_index)
    first = ix.search(SearchRequest("Tripoli Haftar", page_size=1))
    second = ix.search(SearchRequest("Tripoli Haftar", page_size=1, page=2))
    assert first.total == second.total == 2 and first.pages == 2
    pages = [first.hits[0], second.hits[0]]
    assert {h.story_id for h in pages} == {SEED_000, "other.txt"}
    assert ix.search(SearchRequest("Tripoli Haftar", page_size=1, collapse_versions=False)).total == 3


def test_collapsed_under_a_date_filter_full_and_partial(libya_index):
    """A period that leaves out some matches still shows one hit per story (Whoosh's
    collector skips collapsing when it is given a filter: ranking is ours)."""
    ix = open_index(libya_index)
    # Both seeds are dated April 2019 (002 by inference); other.txt is the 10th.
    period = "date:2019-01..2019-04-09"
    full = ix.search(SearchRequest(f"Tripoli Haftar {period}"))
    assert full.total == 1 and len(full.hits) == 1
    assert {full.hits[0].id, *full.hits[0].other_versions} == {SEED_000, SEED_002}
    partial = ix.search(SearchRequest(f"Tripoli Haftar introuvablement {period}"))
    assert partial.total == 0 and [h.partial for h in partial.hits] == [True]
    assert {partial.hits[0].id, *partial.hits[0].other_versions} == {SEED_000, SEED_002}
    every = ix.search(SearchRequest(f"Tripoli Haftar introuvablement {period}", collapse_versions=False))
    assert sorted(h.id for h in every.hits) == [SEED_000, SEED_002]


def test_similar_dispatches_leave_out_the_versions(libya_index):
    ix = open_index(libya_index)
    similar = ix.similar(SEED_002)
    assert [h.id for h in similar][:1] == ["other.txt"]
    assert not {SEED_000, SEED_002} & {h.id for h in similar}
    assert len({h.story_id for h in similar}) == len(similar)
    assert [h.id for h in ix.similar("other.txt")][:1] in ([SEED_000], [SEED_002])
    assert ix.similar("nope.txt") == ()


# --- JSON --------------------------------------------------------------------------


def test_search_json_carries_the_versions(client):
    data = client.get("/api/search?q=Haftar").get_json()
    assert data["total"] == 1 and data["collapse_versions"] is True
    (hit,) = data["hits"]
    assert hit["story"] == SEED_000
    assert len(hit["other_versions"]) == 1 and {hit["id"], *hit["other_versions"]} == {SEED_000, SEED_002}


def test_dispatch_json_carries_versions_and_comparison(client):
    data = client.get(f"/api/depeche/{SEED_002}").get_json()
    assert data["date"] is None and data["date_inferred"] == "2019-04"
    assert data["story"] == SEED_000
    (version,) = data["versions"]
    assert version["id"] == SEED_000 and version["date"] == "2019-04" and version["precision"] == "month"
    assert version["date_inferred"] is False
    comparison = version["comparison"]
    assert len(comparison["added"]) == 6 and "Pompeo" in comparison["added"][0]
    assert len(comparison["dropped"]) == 4 and comparison["same"] == 3 and comparison["reworded"] == 1
    changes = [block["change"] for block in comparison["blocks"]]
    assert changes == ["added"] * 6 + ["dropped"] * 4 + ["reworded"] + ["same"] * 3
    reworded = comparison["blocks"][10]
    assert {"change": "added", "text": "de l'ANL"} in reworded["words"]
    assert data["similar"] == []  # the seeds hold no other story
