"""`python -m loadtest.abuse --docs 34103`: the time of single abusive requests (very long
queries, many words, many prefixes, deep pages) against the real server on the load
test's index, one at a time, each sent three times (the best time is kept: the others
include what the rest of the machine was doing)."""

from __future__ import annotations

import argparse
import http.client
import itertools
import string
import time
from urllib.parse import urlencode

from loadtest import corpus
from loadtest.server import serve

_LETTERS = string.ascii_lowercase
_TWO = ["".join(p) for p in itertools.product(_LETTERS, repeat=2)]
_COMMON = ("gouvernement président ministre police justice santé crise économie travail sécurité "
           "élection réforme budget hôpital école entreprise syndicat grève tribunal enquête "
           "frontière armée accord sommet impôt retraite chômage logement transport énergie "
           "France Paris").split()

CASES = {
    "one word (reference)": {"q": "gouvernement"},
    "q of 1,001 characters": {"q": "a" * 1001},
    "q of 100,000 characters": {"q": "gouvernement " * 7693},
    "500 two-letter words (cut to 32)": {"q": " ".join(_TWO[:500])[:1000]},
    "32 common words": {"q": " ".join(_COMMON)},
    "a*": {"q": "a*"},
    "pr*": {"q": "pr*"},
    "a* b* c* d* e* f*": {"q": " ".join(f"{c}*" for c in "abcdef")},
    "32 prefixes (a* … z*, aa* …)": {"q": " ".join(f"{w}*" for w in [*_LETTERS, *_TWO])[:1000]},
    "*a* *e* *i*": {"q": "*a* *e* *i*"},
    "page 99,999,999": {"q": "gouvernement", "page": "99999999"},
    "page 99,999,999, oldest first": {"page": "99999999", "tri": "ancien"},
    "page of ten digits": {"page": "9999999999"},
}


def timed(port: int, path: str) -> tuple[int, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m loadtest.abuse", description=__doc__)
    parser.add_argument("--docs", type=int, default=34103)
    options = parser.parse_args()
    built = corpus.build(options.docs, log=print)
    with serve(built.index_dir, 8, corpus.WORK / f"n{options.docs}" / "abuse-server.log") as server:
        port = int(server.base.rsplit(":", 1)[1])
        timed(port, "/?q=gouvernement")
        print("| request | status | best of 3 |\n| --- | ---: | ---: |")
        for name, params in CASES.items():
            path = "/?" + urlencode(params)
            results = [timed(port, path) for _ in range(3)]
            status = results[0][0]
            print(f"| {name} | {status} | {min(t for _, t in results) * 1000:,.0f} ms |", flush=True)
        status, elapsed = timed(port, "/?q=" + "a" * 1_000_000)
        print(f"| URL of 1 MB | {status} | {elapsed * 1000:,.0f} ms |")


if __name__ == "__main__":
    main()
