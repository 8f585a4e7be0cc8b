"""What programs rely on: the OpenAPI document and the real answers it describes,
CORS headers, and `page_size`."""

from __future__ import annotations

from pathlib import Path

import json

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse

from exportdata import write_archive
from index import reindex
from web import create_app


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("contract")
    write_archive(base / "archive", 150)
    reindex(base / "index", [base / "archive"])
    return base / "index"


@pytest.fixture(scope="module")
def app(index_dir):
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "WARM_CACHES": False})
    yield app
    app.extensions["archive_index"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def openapi(app) -> OpenAPI:
    document = app.test_client().get("/api/openapi.json").get_json()
    spec = OpenAPI.from_dict(document)  # checks the document itself against OpenAPI 3.0
    return spec


def _first_id_path(client) -> str:
    from urllib.parse import quote

    first = client.get("/export.jsonl?versions=toutes").get_data(as_text=True).splitlines()[0]
    return "/depeche/" + quote(json.loads(first)["id"])


URLS = [
    "/api/search?q=communiqué",
    "/api/search?q=communiqué&page_size=100&page=2&tri=ancien&versions=toutes",
    "/api/search?annee=2019&mois=2019-04",
    "/api/search?sans_date=1",
    "/api/search?q=zzzzzz",
    "/api/search?page_size=101",
    "/api/search?tri=hasard",
    "/api/depeche/absente",
    "/healthz",
    "/api/openapi.json",
    "/export.csv?q=communiqué&texte=1",
    "/export.jsonl?du=2019&au=2020",
    "/flux.atom?q=communiqué",
]


@pytest.mark.parametrize("url", URLS)
def test_real_answers_match_the_openapi_document(client, openapi, url):
    response = client.get(url)
    assert response.status_code < 500
    if response.status_code < 400:  # bad requests are made on purpose: their answer is checked
        openapi.validate_request(WerkzeugOpenAPIRequest(response.request))
    openapi.validate_response(WerkzeugOpenAPIRequest(response.request), WerkzeugOpenAPIResponse(response))


def test_a_dispatch_answer_matches_the_openapi_document(client, openapi):
    response = client.get(_first_id_path(client).replace("/depeche/", "/api/depeche/", 1))
    assert response.status_code == 200
    openapi.validate_response(WerkzeugOpenAPIRequest(response.request), WerkzeugOpenAPIResponse(response))


def test_the_document_describes_each_route_it_names(app, openapi):
    document = app.test_client().get("/api/openapi.json").get_json()
    routes = {rule.rule.replace("<path:dispatch_id>", "{id}") for rule in app.url_map.iter_rules()}
    assert set(document["paths"]) <= routes
    assert {"/api/search", "/api/depeche/{id}", "/export.csv", "/export.jsonl", "/flux.atom", "/healthz"} <= set(
        document["paths"])


def test_a_shape_the_document_does_not_allow_is_caught(client, openapi):
    """The check can fail: an answer without a required field is refused."""
    response = client.get("/api/search?q=communiqué")
    response.set_data(response.get_data(as_text=True).replace('"total":', '"totalement":'))
    with pytest.raises(Exception, match="(?i)invalid|total"):
        openapi.validate_response(WerkzeugOpenAPIRequest(response.request), WerkzeugOpenAPIResponse(response))


def test_page_size_is_honoured_up_to_100_and_refused_beyond(client):
    data = client.get("/api/search?q=communiqué&versions=toutes&page_size=100").get_json()
    assert data["total"] == 150 and data["page_size"] == 100 and len(data["hits"]) == 100
    assert data["pages"] == 2
    second = client.get("/api/search?q=communiqué&versions=toutes&page_size=100&page=2").get_json()
    assert len(second["hits"]) == 50
    default = client.get("/api/search?q=communiqué&versions=toutes").get_json()
    assert len(default["hits"]) == 10
    for value in ("101", "0", "dix", "-5"):
        response = client.get(f"/api/search?page_size={value}")
        assert response.status_code == 400
        assert "page_size est un entier de 1 à 100" in response.get_json()["error"]


@pytest.mark.parametrize("url", ["/api/search?q=communiqué", "/api/depeche/absente", "/healthz", "/export.csv",
                                 "/export.jsonl", "/flux.atom", "/api/openapi.json"])
def test_machine_answers_may_be_read_from_any_origin(client, url):
    response = client.get(url, headers={"Origin": "https://ailleurs.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Total-Count" in response.headers["Access-Control-Expose-Headers"]


def test_pages_get_no_cors_header(client):
    for url in ("/", "/aide"):
        assert "Access-Control-Allow-Origin" not in client.get(url, headers={"Origin": "https://a.example"}).headers


def test_cors_origins_can_be_narrowed_or_turned_off(index_dir):
    narrow = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "WARM_CACHES": False,
                         "CORS_ORIGINS": "https://a.example https://b.example"}).test_client()
    allowed = narrow.get("/api/search", headers={"Origin": "https://b.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://b.example"
    assert "Origin" in allowed.headers["Vary"]
    other = narrow.get("/api/search", headers={"Origin": "https://c.example"})
    assert "Access-Control-Allow-Origin" not in other.headers and "Origin" in other.headers["Vary"]
    off = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "WARM_CACHES": False,
                      "CORS_ORIGINS": ""}).test_client()
    assert "Access-Control-Allow-Origin" not in off.get("/api/search", headers={"Origin": "https://a.example"}).headers


def test_cors_origins_come_from_the_environment(index_dir, monkeypatch):
    monkeypatch.setenv("ARCHIVE_CORS_ORIGINS", "https://a.example")
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "WARM_CACHES": False})
    response = app.test_client().get("/healthz", headers={"Origin": "https://a.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://a.example"
