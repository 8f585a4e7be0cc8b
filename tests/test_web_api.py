"""The JSON API: `/api/search`, `/api/depeche/<id>`, `/healthz`."""

from pathlib import Path

from web import create_app

SEED_000 = "000_4375ea2097648a51.txt"
SEED_002 = "002_eb2ed1d0cd4a9010.txt"


def test_search_returns_the_result_shape(client):
    response = client.get("/api/search?q=combats&annee=2019")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert data["query"] == "combats"
    assert data["total"] == 1
    assert data["sort"] == "relevance"
    assert data["filters"]["year"] == 2019
    assert [hit["id"] for hit in data["hits"]] == [SEED_000]
    hit = data["hits"][0]
    assert hit["date"] == "2019-04" and hit["precision"] == "month"
    assert "<mark>combats</mark>" in hit["snippet"]
    assert data["facets"]["years"] == [{"value": "2019", "count": 1}]
    assert data["facets"]["months"] == [{"value": "2019-04", "count": 1}]
    assert data["facets"]["undated"] == 1


def test_search_takes_the_page_parameters(client):
    data = client.get("/api/search?q=combats&tri=ancien").get_json()
    assert data["sort"] == "oldest"
    assert [hit["id"] for hit in data["hits"]] == [SEED_000, SEED_002]
    data = client.get("/api/search?q=combats&sans_date=1").get_json()
    assert [hit["id"] for hit in data["hits"]] == [SEED_002]
    data = client.get("/api/search").get_json()
    assert data["sort"] == "newest" and data["total"] == 2


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
