"""The known-item benchmark's own arithmetic and plumbing (bench/knownitem.py), on a few
crafted records indexed for real in `tmp_path`: not the news corpus."""

from __future__ import annotations

import json

import pytest

from bench.corpus import Record
from bench.knownitem import build_ours, choose, measures, our_ranks, tantivy_query, write_bodies


def record(n: int, title: str, body: str) -> Record:
    return Record(id=f"rec-{n}", date=f"2020-05-{n + 1:02d}", published=None, title=title, body=body,
                  author="", source="", url="")


def test_measures_from_ranks():
    m = measures([1, None, 2, 11, 10])
    assert m.queries == 5
    assert m.success_at_1 == pytest.approx(1 / 5)
    assert m.success_at_10 == pytest.approx(3 / 5)  # 1, 2 and 10; 11 is past the first page
    assert m.mrr_at_10 == pytest.approx((1 + 1 / 2 + 1 / 10) / 5)


def test_choose_is_seeded_and_keeps_long_unshared_titles():
    records = [record(0, "Trop court", "x"), record(1, "Le même titre pour deux dépêches", "x"),
               record(2, "Le même titre pour deux dépêches", "y")]
    records += [record(n, f"Un titre assez long numéro {n}", "z") for n in range(3, 20)]
    first, again, other = choose(records, 5, 7), choose(records, 5, 7), choose(records, 5, 8)
    assert [r.id for r in first] == [r.id for r in again] != [r.id for r in other]
    assert all(int(r.id.split("-")[1]) >= 3 for r in first + other)
    assert len(choose(records, 100, 7)) == 17  # every usable record, no more


def test_bodies_are_written_without_titles(tmp_path):
    write_bodies([record(0, "Titre à ne pas indexer", "Premier paragraphe.\n\nSecond.")], tmp_path)
    (line,) = (tmp_path / "bodies" / "2020.jsonl").read_text(encoding="utf-8").splitlines()
    row = json.loads(line)
    assert "title" not in row and row["body"] == "Premier paragraphe.\n\nSecond."


def test_tantivy_query_leaves_no_syntax():
    assert tantivy_query('Brexit : « NOT » (AND) "OR" -x +y title:z ~2 ^3') == "brexit not and or x y title z 2 3"


def test_ranks_through_our_index(tmp_path):
    """One title whose own body is the best match (rank 1), one whose words belong to
    another record only (not found), one whose record comes second behind a shorter text
    saying its words more often."""
    records = [
        record(0, "Éruption du volcan islandais, les aéroports fermés",
               "Le volcan islandais est entré en éruption ; les aéroports du nord sont fermés."),
        record(1, "Le vignoble bordelais ravagé par la grêle",
               "Un orage a frappé la Gironde : les viticulteurs comptent leurs pertes."),
        record(2, "Les viticulteurs inquiets", "Grêle sur le vignoble bordelais, ravagé en une heure."),
        record(3, "Tempête sur la côte bretonne",
               "Une tempête a touché la côte bretonne. " + "Les pêcheurs sont restés au port. " * 40),
        record(4, "Tempête, encore", "Tempête, côte bretonne : tempête sur la côte bretonne."),
    ]
    records += [record(n, f"Sans rapport {n}", "Le conseil municipal a voté le budget de la piscine.")
                for n in range(5, 12)]
    write_bodies(records, tmp_path / "archive")
    build_ours(tmp_path / "archive", tmp_path / "index")
    ranks = our_ranks(tmp_path / "index", [records[0], records[1], records[3]])
    assert ranks == [1, None, 2]
    m = measures(ranks)
    assert (m.success_at_1, m.success_at_10, m.mrr_at_10) == pytest.approx((1 / 3, 2 / 3, (1 + 1 / 2) / 3))
