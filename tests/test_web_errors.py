"""Bad parameters, unknown pages, security headers and the app factory's configuration."""

import pytest
from bs4 import BeautifulSoup

from index import reindex
from web import create_app

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("page=-1", "numéro de page"),
        ("page=0", "numéro de page"),
        ("page=abc", "numéro de page"),
        ("page=99999999999999999999", "numéro de page"),
        ("annee=abc", "année"),
        ("annee=0000", "calendrier"),
        ("mois=2019-13", "calendrier"),
        ("mois=avril", "mois"),
        ("jour=2019-02-30", "calendrier"),
        ("annee=2018&mois=2019-04", "concordent"),
        ("du=hier", "date"),
        ("tri=hasard", "Tri inconnu"),
        ("sans_date=peut-etre", "sans_date"),
        ("q=" + "a" * 10_000, "trop longue"),
    ],
)
def test_bad_parameters_are_a_400_page_in_french(client, query, words):
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.select_one("h1").get_text() == "Requête invalide"
    assert words in soup.select_one(".error-message").get_text()
    assert soup.select_one("main a[href='/']") is not None


@pytest.mark.parametrize("query", ["page=999999", "annee=1850", "q=%00%01", "q=*", "q=date:2019-99", "q=((((("])
def test_odd_but_readable_parameters_are_not_errors(client, query):
    response = client.get(f"/?{query}")
    assert response.status_code == 200


def test_unknown_page_is_a_404_page(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.select_one("h1").get_text() == "Page introuvable"
    assert "Erreur 404" in soup.select_one(".error-status").get_text()


def test_method_not_allowed(client):
    response = client.post("/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert client.post("/api/search").get_json() == {"error": "Cette adresse ne s’utilise pas ainsi."}


@pytest.mark.parametrize("url", ["/", "/?q=combats", "/aide", "/nulle-part", "/?page=abc", "/api/search", "/healthz",
                                 "/depeche/000_4375ea2097648a51.txt", "/static/archive.css"])
def test_security_headers_on_every_response(client, url):
    # `with`: a static file is streamed, and its file stays open until the response closes.
    with client.get(url) as response:
        assert response.headers["Content-Security-Policy"] == CSP
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_unexpected_errors_are_a_500_page(index_dir):
    app = create_app({"INDEX_DIR": str(index_dir)})

    @app.get("/boum")
    def boom():
        raise RuntimeError("secret detail")

    response = app.test_client().get("/boum")
    assert response.status_code == 500
    assert b"secret detail" not in response.data
    assert "Erreur interne" in response.get_data(as_text=True)


def test_an_unreadable_index_is_a_french_503_until_it_is_rebuilt(tmp_path, seeds_dir):
    directory = tmp_path / "index"
    reindex(directory, [seeds_dir])
    (toc,) = directory.glob("*.toc")
    toc.write_bytes(toc.read_bytes()[:40])
    app = create_app({"TESTING": True, "INDEX_DIR": str(directory), "WARM_CACHES": False})
    client = app.test_client()
    page = client.get("/?q=combats")
    assert page.status_code == 503
    text = " ".join(BeautifulSoup(page.get_data(as_text=True), "html.parser").select_one(".error-message").text.split())
    assert text == "L’index de l’archive est illisible : lancez « archive reindex --rebuild »."
    assert client.get("/api/search?q=combats").get_json() == {
        "error": "L’index de l’archive est illisible : lancez « archive reindex --rebuild »."}
    # Mended without a restart.
    reindex(directory, [seeds_dir], rebuild=True)
    assert client.get("/api/search?q=combats").get_json()["total"] == 1
    app.extensions["archive_index"].close()


def test_configuration_order(monkeypatch, index_dir, tmp_path):
    monkeypatch.setenv("ARCHIVE_PAGE_SIZE", "3")
    monkeypatch.setenv("ARCHIVE_INDEX_DIR", str(tmp_path / "elsewhere"))
    app = create_app({"INDEX_DIR": str(index_dir)})
    assert app.config["PAGE_SIZE"] == 3  # from the environment, read as JSON
    assert app.config["INDEX_DIR"] == str(index_dir)  # the test config wins
    assert app.config["LOCALE"] == "fr"
    monkeypatch.delenv("ARCHIVE_INDEX_DIR")
    monkeypatch.delenv("ARCHIVE_PAGE_SIZE")
    assert create_app().config["INDEX_DIR"] == "index-data"
