"""Security of the page and the API: stored and reflected XSS, paths out of the archive,
security headers on every route, the address `archive serve` listens on, and abuse
(very long queries, thousands of words, deep pages) answered or refused quickly.

Pages are parsed with BeautifulSoup: the app's own templates hold no script, no image
and no event attribute, so any found in a page came from the content.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import time
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from servers import start, stop
from bs4 import BeautifulSoup


SCRIPT = "<script>alert(document.cookie)</script>"
IMG = "<img src=x onerror=alert(1)>"
QUOTES = '" onmouseover="alert(2)'
SINGLE_QUOTES = "' onfocus='alert(3)' autofocus='"
JS_LINK = '<a href="javascript:alert(4)">ce lien</a>'
TEMPLATE = "{{ 7*7 }}{% raw %}"
PAYLOADS = [SCRIPT, IMG, QUOTES, SINGLE_QUOTES, JS_LINK, TEMPLATE, "</title><script>alert(5)</script>",
            "javascript:alert(6)", '"><svg onload=alert(7)>', "</textarea><iframe src=javascript:alert(8)>"]

TITLE = f"{SCRIPT} Alerte {QUOTES} {IMG}"
BODY = (
    f"L’armée a publié {SCRIPT} un communiqué {IMG} sur {JS_LINK} et {QUOTES} {SINGLE_QUOTES} hier soir.\n\n"
    f"Second paragraphe de l’armée : </p></div>{SCRIPT} et {TEMPLATE} en fin de texte."
)
EVIL_NAME = '"><img src=x onerror=alert(9)>.txt'
JSONL_RECORD = {
    "id": "rec-1",
    "date": "2019-04-09",
    "title": '<svg onload=alert(10)> L’armée " onmouseover="alert(11)',
    "body": f"L’armée et la marine {SCRIPT} {IMG}.",
    "author": '" onmouseover="alert(12)',
    "url": " JaVaScRiPt:alert(13)",
}
HTML_PAGE = """<!doctype html><html><head>
<meta property="og:title" content="Armée &quot; onmouseover=&quot;alert(14) &lt;script&gt;alert(15)&lt;/script&gt;">
<meta name="author" content="<img src=x onerror=alert(16)>">
<meta property="og:url" content="javascript:alert(17)">
<meta property="article:published_time" content="2019-04-10">
</head><body><article>
<p>L’armée &lt;script&gt;alert(18)&lt;/script&gt; et &lt;img src=x onerror=alert(19)&gt;.</p>
<p onclick="alert(20)">Un paragraphe <b onmouseover="alert(21)">gras</b> de l’armée.</p>
<script>alert(22)</script>
</article></body></html>
"""


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory) -> Path:
    from index import reindex

    base = tmp_path_factory.mktemp("xss")
    root = base / "archive"
    root.mkdir()
    (root / "piege.txt").write_text(f" date 2019-04-07 {TITLE}\n\n{BODY}\n")
    # A second version of the same story, for the versions shown on the dispatch page.
    (root / "piege-bis.txt").write_text(f" date 2019-04-08 {TITLE}\n\n{BODY}\n\nUn ajout {IMG} de l’armée.\n")
    (root / EVIL_NAME).write_text(" date 2019-04-07 Un nom de fichier piégé\n\nL’armée dans un fichier au nom piégé.\n")
    (root / "piege.jsonl").write_text(json.dumps(JSONL_RECORD, ensure_ascii=False) + "\n")
    (root / "piege.html").write_text(HTML_PAGE)
    report = reindex(base / "index", [root])
    assert report.documents == 5 and not report.failures
    return base / "index"


@pytest.fixture(scope="module")
def hostile_client(hostile_index):
    from web import create_app

    return create_app({"TESTING": True, "INDEX_DIR": str(hostile_index)}).test_client()


def assert_inert(html: str) -> BeautifulSoup:
    """No script, image, frame or event attribute, and no `javascript:` link."""
    lowered = html.lower()
    for tag in ("<script", "<img", "<iframe", "<object", "<embed"):
        assert tag not in lowered
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find_all(["script", "img", "iframe", "object", "embed", "textarea"]) == []
    # The only SVG of a results page is the timeline's chart (drawn wide and compact).
    assert all("timeline-chart" in (svg.get("class") or []) for svg in soup.find_all("svg"))
    for element in soup.find_all(True):
        for name, value in element.attrs.items():
            assert not name.lower().startswith("on"), f"<{element.name} {name}={value!r}>"
            if name.lower() in ("href", "src", "action", "formaction"):
                target = "".join(str(value).split()).lower()
                assert not target.startswith(("javascript:", "vbscript:", "data:")), f"{name}={value!r}"
    assert "49" not in soup.get_text().replace("2019", "")  # {{ 7*7 }} is not evaluated
    return soup


def page_text(soup: BeautifulSoup) -> str:
    return " ".join(soup.get_text().split())


def all_ids(client) -> list[str]:
    data = client.get("/api/search?" + urlencode({"q": "armée", "tri": "ancien"})).get_json()
    ids = [hit["id"] for hit in data["hits"]]
    for hit in data["hits"]:
        ids += hit["other_versions"]
    return ids


def test_stored_xss_is_inert_in_results_and_snippets(hostile_client):
    response = hostile_client.get("/?q=arm%C3%A9e")
    assert response.status_code == 200
    soup = assert_inert(response.text)
    text = page_text(soup)
    # The text is shown as text: escaped, not dropped.
    assert SCRIPT in text and "<img src=x onerror=alert(1)>" in text
    assert soup.select("p.snippet mark")  # highlighting still works
    # A file's name is shown on its dispatch's page, as text.
    named = assert_inert(hostile_client.get("/depeche/" + quote('"><img src=x onerror=alert(9)>.txt')).text)
    assert '"><img src=x onerror=alert(9)>.txt' in page_text(named)


def test_stored_xss_is_inert_on_every_dispatch_page(hostile_client):
    ids = all_ids(hostile_client)
    assert len(set(ids)) == 5
    for dispatch_id in ids:
        response = hostile_client.get(f"/depeche/{quote(dispatch_id)}?q=arm%C3%A9e")
        assert response.status_code == 200, dispatch_id
        assert_inert(response.text)
    soup = assert_inert(hostile_client.get("/depeche/piege.txt?q=arm%C3%A9e").text)
    text = page_text(soup)
    assert SCRIPT in text and TEMPLATE in text and "</p></div>" in text
    # The `javascript:` address of the JSON Lines record is shown as text, not linked.
    jsonl = assert_inert(hostile_client.get("/depeche/" + quote(next(i for i in ids if i.startswith("piege.jsonl")))).text)
    assert "JaVaScRiPt:alert(13)" in page_text(jsonl)


def test_stored_xss_is_text_in_the_json_api(hostile_client):
    response = hostile_client.get("/api/search?q=arm%C3%A9e")
    assert response.mimetype == "application/json"
    hits = {hit["id"]: hit for hit in response.get_json()["hits"]}
    hit = hits["piege.txt"] if "piege.txt" in hits else hits["piege-bis.txt"]
    assert hit["title"] == " ".join(TITLE.split())
    # Snippets are HTML by contract: the text escaped, nothing but <mark> added.
    assert "<script" not in hit["snippet"] and "&lt;script&gt;" in hit["snippet"]
    assert set(re.findall(r"</?(\w+)", hit["snippet"])) <= {"mark"}
    stored = hostile_client.get("/api/depeche/piege.txt").get_json()
    assert stored["title"] == " ".join(TITLE.split())
    assert SCRIPT in stored["paragraphs"][0]


PARAMETERS = ["q", "annee", "mois", "jour", "du", "au", "tri", "page", "sans_date"]


@pytest.mark.parametrize("parameter", PARAMETERS)
def test_reflected_xss_through_every_parameter_is_inert(hostile_client, parameter):
    for payload in PAYLOADS:
        query = urlencode({parameter: payload} if parameter == "q" else {"q": "armée", parameter: payload})
        for path in ("/", "/depeche/piege.txt", "/aide", "/page-inconnue"):
            response = hostile_client.get(f"{path}?{query}")
            assert response.status_code in (200, 400, 404), (path, parameter, payload)
            assert_inert(response.text)
        response = hostile_client.get(f"/api/search?{query}")
        assert response.status_code in (200, 400)
        assert response.mimetype == "application/json"
    for payload in PAYLOADS:  # reflected through the id of a missing dispatch
        response = hostile_client.get("/depeche/" + quote(payload, safe=""))
        assert response.status_code == 404
        assert_inert(response.text)


# -- Paths out of the archive ----------------------------------------------------------------

TRAVERSALS = [
    "/depeche/../../etc/passwd",
    "/depeche/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/depeche/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/depeche/%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    "/depeche//etc/passwd",
    "/depeche/%2Fetc%2Fpasswd",
    "/depeche/etc/passwd%00.txt",
    "/depeche/piege.txt%00../../etc/passwd",
    "/depeche/..%5c..%5c..%5cetc%5cpasswd",
    "/depeche/CURRENT",
    "/depeche/schema-version.json",
    "/depeche/../pyproject.toml",
    "/depeche/file:///etc/passwd",
    "/api/depeche/../../etc/passwd",
    "/api/depeche/%2Fetc%2Fpasswd",
    "/api/depeche/..%2F..%2Fpyproject.toml",
    "/static/../../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/static/..%2F..%2Fcli.py",
    "/static//etc/passwd",
    "/static/archive.css%00.txt",
    "//evil.example/depeche/x",
    "/depeche/x/..//evil.example",
]
SECRETS = ["root:x:0:0", "[build-system]", "schema_version", "def main"]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_path_reads_a_file_outside_the_archive(hostile_client, path):
    response = hostile_client.get(path, follow_redirects=True)
    # Werkzeug merges double slashes with a redirect on the same site, then a 404.
    assert all(urlsplit(r.headers["Location"]).netloc in ("", "localhost") for r in response.history)
    assert response.status_code in (400, 404), response.status_code
    for secret in SECRETS:
        assert secret not in response.get_data(as_text=True)


# -- Headers ---------------------------------------------------------------------------------


def routes(client) -> dict[str, object]:
    return {
        "/": client.get("/"),
        "/?q=armée": client.get("/?q=arm%C3%A9e"),
        "/depeche": client.get("/depeche/piege.txt"),
        "/aide": client.get("/aide"),
        "/api/search": client.get("/api/search?q=x"),
        "/api/depeche": client.get("/api/depeche/piege.txt"),
        "/healthz": client.get("/healthz"),
        "/static": client.get("/static/archive.css"),
        "400": client.get("/?page=-1"),
        "400 api": client.get("/api/search?annee=19"),
        "404": client.get("/nulle-part"),
        "404 api": client.get("/api/depeche/nulle-part"),
        "405": client.post("/"),
    }


def check_headers(response) -> None:
    policy = response.headers["Content-Security-Policy"]
    directives = dict((d.split(" ", 1) + [""])[:2] for d in (x.strip() for x in policy.split(";")) if d)
    script_sources = directives.get("script-src", directives.get("default-src", ""))
    assert script_sources and "'unsafe-inline'" not in script_sources and "'unsafe-eval'" not in script_sources
    assert "'none'" in directives.get("object-src", "") and "'none'" in directives.get("frame-ancestors", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")


def test_security_headers_on_every_route_and_error(hostile_client):
    for name, response in routes(hostile_client).items():
        status = int(name.split()[0]) if name[0].isdigit() else 200
        assert response.status_code == status, name
        check_headers(response)
        response.close()


def test_security_headers_when_the_index_is_missing(tmp_path):
    from web import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "absent")}).test_client()
    for path in ("/", "/api/search", "/depeche/x"):
        response = client.get(path)
        assert response.status_code == 503
        check_headers(response)


# -- The real server: its address, raw paths, abuse --------------------------------------


@pytest.fixture(scope="module")
def server(hostile_index):
    """`archive serve` with no `--host`: it must listen on loopback only."""
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_HOST", "ARCHIVE_PORT")}
    process, base = start(hostile_index, env=env)
    address = urlsplit(base)
    try:
        yield process, address.hostname, address.port
    finally:
        stop(process)


@pytest.mark.slow
def test_serve_listens_on_loopback_by_default(server):
    import psutil

    process, host, port = server
    assert host == "127.0.0.1"
    listening = [c for c in psutil.Process(process.pid).net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
    assert [(c.laddr.ip, c.laddr.port) for c in listening] == [("127.0.0.1", port)]


def raw_get(port: int, path: str) -> tuple[int, bytes, float]:
    """A GET with the path sent as is (no client-side normalisation), and its time; a
    redirect is followed if it stays on the server."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        status, body, location = response.status, response.read(), response.headers.get("Location")
    finally:
        connection.close()
    if status in (301, 302, 303, 307, 308):
        target = urlsplit(location)
        assert target.netloc in ("", f"127.0.0.1:{port}"), location
        status, body, _ = raw_get(port, target.path + (f"?{target.query}" if target.query else ""))
    return status, body, time.perf_counter() - started


@pytest.mark.slow
def test_the_real_server_reads_no_file_outside_the_archive(server):
    _, _, port = server
    for path in [*TRAVERSALS, "/depeche/..%00/etc/passwd", "/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd"]:
        status, body, _ = raw_get(port, path)
        assert status in (400, 404), (path, status)
        for secret in SECRETS:
            assert secret.encode() not in body, path


# -- Abuse: long queries, many words, deep pages --------------------------------------------

COMMON = ("gouvernement président ministre police justice santé crise économie travail sécurité "
          "élection réforme budget hôpital école entreprise syndicat grève tribunal enquête "
          "frontière armée accord sommet impôt retraite chômage logement transport énergie").split()


@pytest.fixture(scope="module")
def abuse_client(tmp_path_factory):
    """1,500 dispatches where thirty common words each occur in a third of them."""
    import random

    from index import reindex
    from web import create_app

    rng = random.Random(7)
    base = tmp_path_factory.mktemp("abuse")
    root = base / "archive"
    root.mkdir()
    for number in range(1500):
        words = rng.sample(COMMON, 10) + [f"rare{rng.randrange(3000)}" for _ in range(40)]
        rng.shuffle(words)
        (root / f"{number:04d}.txt").write_text(
            f" date {2015 + number % 6}-{number % 12 + 1:02d}-{number % 28 + 1:02d} Dépêche {number}\n\n"
            + " ".join(words) + ".\n"
        )
    reindex(base / "index", [root])
    return create_app({"TESTING": True, "INDEX_DIR": str(base / "index")}).test_client()


def timed_get(client, path: str, **params):
    started = time.perf_counter()
    response = client.get(path + ("?" + urlencode(params) if params else ""))
    return response, time.perf_counter() - started


ABUSE = {
    "1,001 characters": ({"q": "a" * 1001}, 400),
    "100,000 characters": ({"q": "gouvernement " * 7693}, 400),
    "500 words in 1,000 characters": ({"q": " ".join(f"{c}{d}" for c in "bcdfghjklm" for d in "aeiou" * 10)[:1000]}, 200),
    "30 common words": ({"q": " ".join(COMMON)}, 200),
    "30 common words, OU": ({"q": " OU ".join(COMMON)}, 200),
    "26 prefixes": ({"q": " ".join(f"{c}*" for c in "abcdefghijklmnopqrstuvwxyz")}, 200),
    "wildcards inside words": ({"q": "*a* *e* *i* *o* *u*"}, 200),
    "a long phrase": ({"q": '"' + " ".join(COMMON * 3)[:990] + '"'}, 200),
    "page 99,999,999": ({"q": "gouvernement", "page": "99999999"}, 200),
    "page 99,999,999 by date": ({"page": "99999999", "tri": "ancien"}, 200),
    "page 99,999,999 in a year": ({"annee": "2019", "page": "99999999", "tri": "recent"}, 200),
    "page of ten digits": ({"page": "9999999999"}, 400),
    "page 0": ({"page": "0"}, 400),
    "the widest range": ({"q": "armée", "du": "0001", "au": "9999"}, 200),
}


# The abusive requests once cost 500 to 3,000 times a two-word query (30 common words:
# 20.5 s); clamped, the worst costs some 40 times. Both are timed in the same test, so a
# busy machine slows both: the ratio, not a number of seconds, is the bound.
MAX_ABUSE_RATIO = 150


@pytest.mark.slow
def test_abusive_queries_are_refused_or_clamped_fast(abuse_client):
    abuse_client.get("/?q=gouvernement")  # open the searcher and fill the caches
    timings = {}
    for name, (params, status) in ABUSE.items():
        for path in ("/", "/api/search"):
            response, elapsed = timed_get(abuse_client, path, **params)
            assert response.status_code == status, (name, path, response.status_code)
            timings[f"{path} {name}"] = min(elapsed, timed_get(abuse_client, path, **params)[1])
        if status == 200:
            data = abuse_client.get("/api/search?" + urlencode(params)).get_json()
            assert data["page"] <= data["pages"]  # a deep page is the last one
            assert len(data["hits"]) <= data["page_size"]
    words = abuse_client.get("/api/search?" + urlencode(ABUSE["500 words in 1,000 characters"][0])).get_json()
    assert "32 premiers mots" in words["notice"]
    baseline = min(timed_get(abuse_client, "/", q="gouvernement président")[1] for _ in range(3))
    worst = max(timings, key=timings.get)
    print(f"\nworst abusive request: {worst}: {timings[worst] * 1000:.0f} ms; two common words: {baseline * 1000:.0f} ms")
    for name, elapsed in sorted(timings.items(), key=lambda item: -item[1])[:6]:
        print(f"  {elapsed * 1000:7.0f} ms  {name}")
    assert timings[worst] < MAX_ABUSE_RATIO * baseline


@pytest.mark.slow
def test_the_real_server_refuses_huge_urls_fast(server):
    _, _, port = server
    # The connection's timeout catches a server that hangs on them.
    for size in (10_000, 100_000, 1_000_000):
        status, _, _ = raw_get(port, "/?q=" + "a" * size)
        assert status in (400, 414, 431), (size, status)
