"""The JSON API: `/api/search`, `/api/depeche/<id>`, `/healthz`."""

import shutil
from pathlib import Path

import pytest

from index import reindex
from web import create_app

SEED_000 = "000_4375ea2097648a51.txt"
SEED_002 = "002_eb2ed1d0cd4a9010.txt"
UNDATED = "010_soudan.txt"


@pytest.fixture
def stories_client(tmp_path: Path, seeds_dir: Path):
    """Seed 000 and an undated dispatch of another story: no versions to collapse."""
    root = tmp_path / "stories"
    root.mkdir()
    shutil.copy(seeds_dir / SEED_000, root / SEED_000)
    (root / UNDATED).write_text(
        "Trêve fragile au Soudan\n\nDes combats sporadiques ont été signalés dans la nuit près de Khartoum, "
        "selon des témoins joints par téléphone.\n",
        encoding="utf-8",
    )
    reindex(tmp_path / "stories-index", [root])
    return create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "stories-index")}).test_client()


def test_search_returns_the_result_shape(stories_client):
    response = stories_client.get("/api/search?q=combats&annee=2019")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert data["query"] == "combats"
    assert data["total"] == 1
    assert data["sort"] == "relevance"
    assert data["filters"]["year"] == 2019
    assert data["collapse_versions"] is True
    assert [hit["id"] for hit in data["hits"]] == [SEED_000]
    hit = data["hits"][0]
    assert hit["date"] == "2019-04" and hit["precision"] == "month"
    assert "<mark>combats</mark>" in hit["snippet"]
    assert hit["other_versions"] == [] and hit["date_inferred"] is False
    assert data["facets"]["years"] == [{"value": "2019", "count": 1}]
    assert data["facets"]["months"] == [{"value": "2019-04", "count": 1}]
    assert data["facets"]["undated"] == 1


def test_search_takes_the_page_parameters(stories_client):
    client = stories_client
    data = client.get("/api/search?q=combats&tri=ancien").get_json()
    assert data["sort"] == "oldest"
    assert [hit["id"] for hit in data["hits"]] == [SEED_000, UNDATED]
    data = client.get("/api/search?q=combats&sans_date=1").get_json()
    assert [hit["id"] for hit in data["hits"]] == [UNDATED]
    data = client.get("/api/search").get_json()
    assert data["sort"] == "newest" and data["total"] == 2


def test_search_collapses_versions_unless_asked(client):
    data = client.get("/api/search?q=Haftar").get_json()
    assert data["collapse_versions"] is True
    assert data["total"] == 1
    assert [(hit["id"], hit["other_versions"]) for hit in data["hits"]] == [(SEED_000, [SEED_002])]
    assert data["hits"][0]["story"] is not None
    # Facets count stories: the two versions are one story of 2019.
    assert data["facets"]["years"] == [{"value": "2019", "count": 1}]
    data = client.get("/api/search?q=Haftar&versions=toutes").get_json()
    assert data["collapse_versions"] is False
    assert data["total"] == 2
    hits = {hit["id"]: hit for hit in data["hits"]}
    assert set(hits) == {SEED_000, SEED_002}
    assert all(hit["other_versions"] == [] for hit in hits.values())
    assert hits[SEED_000]["story"] == hits[SEED_002]["story"]
    assert (hits[SEED_002]["date"], hits[SEED_002]["date_inferred"]) == ("2019-04", True)
    assert data["facets"]["years"] == [{"value": "2019", "count": 2}]
    response = client.get("/api/search?q=Haftar&versions=1")
    assert response.status_code == 400 and "versions" in response.get_json()["error"]


def test_search_errors_are_json_400(client):
    for query in ("page=abc", "page=-1", "annee=abc", "mois=2019-13", "tri=hasard", "du=2019-02-30", "q=" + "x" * 10_000):
        response = client.get(f"/api/search?{query}")
        assert response.status_code == 400, query
        assert response.mimetype == "application/json"
        assert set(response.get_json()) == {"error"}
        assert response.get_json()["error"]


def test_dispatch_json(client):
    response = client.get(f"/api/depeche/{SEED_000}")
    assert response.status_code == 200
    data = response.get_json()
    assert data["id"] == SEED_000
    assert data["date"] == "2019-04" and data["date_source"] == "header"
    assert len(data["paragraphs"]) == 8
    assert data["paragraphs"][0].startswith("L'armée américaine")
    assert data["date_inferred"] is None
    assert [version["id"] for version in data["versions"]] == [SEED_002]


def test_dispatch_json_compares_with_the_other_versions(client):
    data = client.get(f"/api/depeche/{SEED_002}").get_json()
    assert data["date"] is None and data["date_inferred"] == "2019-04"
    (version,) = data["versions"]
    assert version["id"] == SEED_000
    assert (version["date"], version["precision"], version["date_inferred"]) == ("2019-04", "month", False)
    comparison = version["comparison"]
    # 002 opens with Mike Pompeo's statement, which 000 does not have.
    assert len(comparison["added"]) == 6
    assert comparison["added"][0].startswith("Les Etats-Unis sont profondément préoccupés")
    assert any("Pompeo" in paragraph for paragraph in comparison["added"])
    assert not any("Pompeo" in paragraph for paragraph in comparison["dropped"])
    assert comparison["dropped"][0].startswith("L'armée américaine a annoncé dimanche")
    blocks = comparison["blocks"]
    assert sum(block["change"] == "same" for block in blocks) == comparison["same"] == 3
    (reworded,) = [block for block in blocks if block["change"] == "reworded"]
    assert {"change": "added", "text": "de l'ANL"} in reworded["words"]
    assert {"change": "dropped", "text": "du maréchal Haftar"} in reworded["words"]
    # Versions are left out of « Dépêches similaires »: the seeds have nothing else.
    assert data["similar"] == []


def test_unknown_dispatch_is_json_404(client):
    response = client.get("/api/depeche/nope.txt")
    assert response.status_code == 404
    assert "nope.txt" in response.get_json()["error"]
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert set(response.get_json()) == {"error"}


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "documents": 2}


def test_missing_index_is_503_until_it_exists(tmp_path: Path, seeds_dir: Path):
    from index import reindex

    index_dir = tmp_path / "index"
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
    response = client.get("/api/search?q=combats")
    assert response.status_code == 503
    assert "reindex" in response.get_json()["error"]
    assert client.get("/").status_code == 503
    reindex(index_dir, [seeds_dir])
    assert client.get("/healthz").get_json() == {"status": "ok", "documents": 2}
