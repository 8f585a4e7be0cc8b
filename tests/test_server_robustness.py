"""A running server under cheap abuse, and one that must recover by itself: bounded
« did you mean » work, a posting cache weighed in bytes, idle connections and large
bodies at the real `archive serve`, an index removed and rebuilt under a running app,
redirects with a forged Host, stories with many versions, and caching headers.

Work is counted (words looked up, terms compared, bytes held), never timed.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import random
import shutil
import socket
import tracemalloc
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from servers import start, stop

from index import SearchRequest, reindex
from index.cache import LruCache, clear_caches
from index.whoosh.search import open_index

# --- « Vouliez-vous dire »: bounded work, same suggestions ----------------------------


def _random_word(rng: random.Random, length: int) -> str:
    return "p" + "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(length - 1))


def test_suggestions_look_up_a_bounded_number_of_words_and_terms(index_dir):
    from index.suggestions import MAX_CORRECTED_WORDS
    from index.whoosh.suggest import MAX_CANDIDATES, Speller

    rng = random.Random(12)
    with open_index(index_dir) as archive:
        searcher, generation = archive._searcher()
        reader = searcher.reader()
        # The two costly queries of the report: words of 999 letters, and 32 unknown
        # words of 30 letters. Long words are not looked up at all.
        long_words = Speller(reader, "body", generation)
        assert [long_words.closest(_random_word(rng, 999)) for _ in range(5)] == [None] * 5
        assert (long_words.looked_up, long_words.compared) == (0, 0)
        many = Speller(reader, "body", generation)
        for _ in range(32):
            many.closest(_random_word(rng, 30))
        assert many.looked_up == MAX_CORRECTED_WORDS
        assert many.compared <= MAX_CORRECTED_WORDS * MAX_CANDIDATES
        # An ordinary typo is still compared with the terms of its letter, and found.
        typo = Speller(reader, "body", generation)
        assert typo.closest("pompeoo") == "pompeo" and typo.compared > 0


def _typos(terms: list[str], rng: random.Random, count: int) -> list[str]:
    words = []
    for term in rng.sample(terms, count):
        letters = list(term)
        for _ in range(rng.choice([1, 1, 2])):
            at = rng.randrange(1, max(2, len(letters)))
            edit = rng.choice("dist")
            if edit == "d" and len(letters) > 2:
                del letters[at % len(letters)]
            elif edit == "i":
                letters.insert(at, rng.choice("aeiourst"))
            elif edit == "s":
                letters[at % len(letters)] = rng.choice("aeiourst")
            elif edit == "t" and at < len(letters) - 1:
                letters[at], letters[at + 1] = letters[at + 1], letters[at]
        words.append("".join(letters))
    return words


def _edits(a: str, b: str) -> int:
    """Restricted Damerau-Levenshtein distance (an adjacent transposition is one edit)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def test_suggestions_are_the_closest_then_most_frequent_terms(tmp_path, make_archive, seeds_dir):
    """A plain Python reference, over every term of an index of several segments (the
    seeds, then more dispatches added): for 150 typos, the term of the same first letter
    with the fewest edits (two at most), then in the most documents, then first in
    alphabetical order."""
    from index.french import FOLDED_STOP_WORDS
    from index.whoosh.suggest import Speller

    directory = tmp_path / "index"
    text = (seeds_dir / next(p.name for p in seeds_dir.iterdir() if p.suffix == ".txt")).read_text()
    sentences = [s.strip() for s in text.replace("\n", " ").split(".") if len(s.split()) > 4]
    records = [{"id": f"r{i}", "date": "2019-05-01", "title": f"Dépêche {i}",
                "body": " ".join(sentences[(i + k) % len(sentences)] + "." for k in range(3))}
               for i in range(12)]
    root = make_archive({"more.jsonl": "\n".join(json.dumps(r, ensure_ascii=False) for r in records[:6])})
    reindex(directory, [seeds_dir, root])
    # A second segment: an update adds the other records beside the first build's.
    (root / "more2.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records[6:]),
                                      encoding="utf-8")
    reindex(directory, [seeds_dir, root])
    rng = random.Random(5)
    field = "body_exact"
    with open_index(directory) as archive:
        searcher, generation = archive._searcher()
        reader = searcher.reader()
        assert len(reader.leaf_readers()) > 1
        # Stop words have exact-form terms (for quoted phrases) but are never searched alone.
        # Every term may be proposed (« g7 » too); the typos are made from words.
        terms = [t for t in (reader.schema[field].from_bytes(b) for b in reader.lexicon(field))
                 if t not in FOLDED_STOP_WORDS]
        frequency = {t: reader.doc_frequency(field, t) for t in terms}
        for typo in _typos([t for t in terms if t.isalpha()], rng, 150):
            near = sorted((_edits(typo, t), -frequency[t], t) for t in terms
                          if t[0] == typo[0] and t != typo and _edits(typo, t) <= 2)
            assert Speller(reader, field, generation).closest(typo) == (near[0][2] if near else None), typo


# --- The posting cache is weighed in bytes --------------------------------------------


def test_posting_cache_weighs_unknown_words_by_their_memory(index_dir):
    """20,000 cheap queries of random numbers grew a server by 300 MB: each unknown
    word's entry weighed 1 of 8 million postings while costing about 230 bytes."""
    from index.whoosh import postings

    rng = random.Random(8)
    words = [str(rng.randrange(10**12)) for _ in range(5000)]
    with open_index(index_dir) as archive:
        searcher, generation = archive._searcher()
        clear_caches()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for word in words:
                postings.postings(searcher, "body", word, generation)
            held = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        weight = postings._postings.weight
        clear_caches()
    # What the cache counts is at least what its entries really hold.
    assert held > 0 and weight >= 0.9 * held, (weight, held)


def test_a_flood_of_empty_entries_stays_within_the_byte_budget():
    from index.cache import ENTRY_BYTES
    from index.whoosh.postings import EMPTY, weigh

    budget = 100_000
    cache = LruCache(budget, weigh=weigh)
    for n in range(10_000):
        cache.get(("generation", "body", str(n)), lambda: EMPTY)
    assert cache.weight <= budget
    assert 0 < len(cache) <= budget // ENTRY_BYTES


# --- The real server: idle connections, large bodies ----------------------------------


def _get(base: str, path: str = "/healthz", timeout: float = 60) -> bytes:
    """The status line and headers of a GET, on a new connection (the timeout is a hang
    detector, far above a normal answer)."""
    address = urlsplit(base)
    with socket.create_connection((address.hostname, address.port), timeout=timeout) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {address.netloc}\r\nConnection: close\r\n\r\n".encode())
        return _read_head(sock)


def _read_head(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def test_idle_connections_do_not_take_the_server_off_the_air(index_dir):
    """110 silent connections (waitress's default limit: 100) kept new visitors waiting
    until the idle ones timed out, about 150 s later."""
    process, base = start(index_dir)
    idle: list[socket.socket] = []
    try:
        address = urlsplit(base)
        for _ in range(150):
            idle.append(socket.create_connection((address.hostname, address.port), timeout=60))
        head = _get(base)
        assert head.startswith(b"HTTP/1.1 200"), head[:200]
    finally:
        for sock in idle:
            sock.close()
        stop(process)


def test_a_large_body_is_refused_without_being_read(index_dir):
    """The app answers GET only: a POST announcing 100 MB is refused from its headers
    (it was buffered, up to 1 GB, in a temporary file before the 405)."""
    process, base = start(index_dir)
    try:
        address = urlsplit(base)
        with socket.create_connection((address.hostname, address.port), timeout=60) as sock:
            sock.sendall(
                f"POST /?q=x HTTP/1.1\r\nHost: {address.netloc}\r\nContent-Type: text/plain\r\n"
                f"Content-Length: {100 * 1024 * 1024}\r\n\r\n".encode() + b"x" * 1024
            )
            head = _read_head(sock)
        assert head.startswith(b"HTTP/1.1 413"), head[:200]
        # The server still answers.
        assert _get(base).startswith(b"HTTP/1.1 200")
    finally:
        stop(process)


# --- An index removed and rebuilt under a running app ---------------------------------


def test_index_removed_then_rebuilt_answers_503_then_recovers(tmp_path, make_archive):
    from web import create_app

    first = make_archive({"a.txt": "Tempête sur la Bretagne\n\nLes vents soufflent fort sur la côte."}, "first")
    second = make_archive({"b.txt": "Sécheresse en Provence\n\nLes rivières sont à sec cet été."}, "second")
    directory = tmp_path / "index"
    reindex(directory, [first])
    app = create_app({"INDEX_DIR": str(directory), "WARM_CACHES": False})
    client = app.test_client()
    assert client.get("/api/search?q=tempête").get_json()["total"] == 1

    shutil.rmtree(directory)
    for _ in range(2):
        page = client.get("/?q=tempête")
        assert page.status_code == 503
        assert "archive reindex" in BeautifulSoup(page.data, "html.parser").get_text()
        answer = client.get("/api/search?q=tempête")
        assert answer.status_code == 503 and "reindex" in answer.get_json()["error"]

    reindex(directory, [second])
    found = client.get("/api/search?q=sécheresse")
    assert found.status_code == 200 and found.get_json()["total"] == 1
    assert client.get("/api/search?q=tempête").get_json()["total"] == 0
    hit = found.get_json()["hits"][0]["id"]
    assert client.get(f"/depeche/{hit}").status_code == 200


# --- Redirects with a forged Host ------------------------------------------------------


def test_redirects_do_not_name_a_forged_host(client):
    response = client.get("/depeche//x", headers={"Host": "evil.example"})
    assert response.status_code == 308
    location = response.headers["Location"]
    assert "evil.example" not in location and location == "/depeche/x"


# --- A story with many versions --------------------------------------------------------

BASE = [
    "Le conseil municipal de Rennes a voté jeudi soir un plan de rénovation des écoles primaires de la ville.",
    "Le budget prévu atteint douze millions d’euros répartis sur quatre années de travaux successifs.",
    "Les parents d’élèves réunis en association ont salué une décision attendue depuis longtemps par les familles.",
    "Les travaux commenceront pendant les vacances d’été afin de ne pas perturber les cours des enfants.",
]


def _story(count: int) -> dict[str, str]:
    files = {}
    for n in range(count):
        extra = f"Mise à jour numéro {n} : la mairie précise le calendrier du chantier {n} au quartier {n}."
        files[f"v{n:02d}.txt"] = "date 2021-03-04\n\nÉcoles rénovées à Rennes\n\n" + "\n\n".join([*BASE, extra])
    return files


def test_a_story_with_many_versions_pages_them(tmp_path, make_archive):
    from web import create_app

    directory = tmp_path / "index"
    reindex(directory, [make_archive(_story(25))])
    app = create_app({"INDEX_DIR": str(directory), "WARM_CACHES": False, "VERSIONS_PER_PAGE": 5})
    client = app.test_client()
    hits = client.get("/api/search?q=rennes&versions=toutes").get_json()["hits"]
    assert len(hits) == 10
    first = hits[0]["id"]

    seen: list[str] = []
    url = f"/depeche/{first}"
    for _ in range(10):
        soup = BeautifulSoup(client.get(url).data, "html.parser")
        assert "24" in soup.select_one("#versions-heading").get_text()
        shown = [a.get_text() for a in soup.select("article.version code.source")]
        assert 0 < len(shown) <= 5
        seen += shown
        following = soup.select_one("nav.versions-pages a[rel=next]")
        if following is None:
            break
        url = following["href"]
    # Every other version once, a page at a time.
    assert len(seen) == 24 and len(set(seen)) == 24 and first not in seen

    data = client.get(f"/api/depeche/{first}?page_versions=2").get_json()
    assert data["versions_total"] == 24 and data["versions_start"] == 5
    assert [v["id"] for v in data["versions"]] == seen[5:10]


# --- Caching headers -------------------------------------------------------------------


def test_pages_and_answers_say_how_they_may_be_cached(client):
    for path in ("/", "/?q=combats", "/api/search?q=combats", "/aide", "/healthz", "/page-inconnue"):
        assert client.get(path).headers.get("Cache-Control") == "no-cache", path
    page = BeautifulSoup(client.get("/").data, "html.parser")
    stylesheet = page.select_one("link[rel=stylesheet]")["href"]
    assert "?v=" in stylesheet
    # A static file's answer holds the file open until it is closed.
    with client.get(stylesheet) as response:
        assert "max-age=31536000" in response.headers["Cache-Control"]
    # Without its content's hash (or with an old one) a static file is asked again.
    with client.get("/static/archive.css?v=0") as response:
        assert response.headers["Cache-Control"] == "no-cache"


def test_an_unavailable_index_is_not_cached(tmp_path):
    from web import create_app

    client = create_app({"INDEX_DIR": str(tmp_path / "nothing"), "WARM_CACHES": False}).test_client()
    response = client.get("/?q=combats")
    assert response.status_code == 503 and response.headers["Cache-Control"] == "no-store"


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Caches are per process and keyed by generation: start each test empty."""
    clear_caches()
    yield
    clear_caches()


# --- Handles dropped without being closed ----------------------------------------------


def _files_open_under(folder: Path) -> list[str]:
    """This process's open files inside `folder` (from /proc/self/fd)."""
    opened = []
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith(str(folder)):
                opened.append(target)
    return opened


def _collect_cycles() -> list[str]:
    """Collect garbage; the warnings it raised (an unclosed file finalized is one)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gc.collect()
    return [str(w.message) for w in caught]


def test_an_index_dropped_in_a_reference_cycle_closes_its_files_first(index_dir):
    # A Flask app holds its index in reference cycles, which only the garbage collector
    # frees, finalizing their objects in no set order: the searchers' files must be
    # closed by the index before they are finalized as garbage themselves.
    for _ in range(10):
        archive = open_index(index_dir)
        assert archive.search(SearchRequest(query="armée")).total
        cycle: list = [archive]
        cycle.append(cycle)
        assert _files_open_under(index_dir)
        del archive, cycle
        assert _collect_cycles() == []
        assert _files_open_under(index_dir) == []


def test_an_export_dropped_unread_in_a_reference_cycle_closes_its_searcher(index_dir):
    with open_index(index_dir) as archive:
        for _ in range(10):
            export = archive.export(SearchRequest(query="armée"))
            assert export.total and not export.closed
            cycle: list = [export]
            cycle.append(cycle)
            del export, cycle
            assert _collect_cycles() == []
        archive.close()
        assert _files_open_under(index_dir) == []
