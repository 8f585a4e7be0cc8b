"""Both engines answer exactly the calls of index/protocol.py, with the same parameters
and defaults: a method one engine gains alone, or a default that drifts on one side,
fails here rather than on one backend's page."""

from __future__ import annotations

import inspect

import pytest

from index import SearchRequest, reindex
from index.opensearch.export import OpenSearchExport
from index.opensearch.search import OpenSearchIndex
from index.protocol import ResultStream, SearchBackend
from index.whoosh.export import Export
from index.whoosh.search import ArchiveIndex, open_index

SPECIAL = {"__enter__", "__exit__", "__iter__"}


def surface(cls) -> dict[str, inspect.Signature | str]:
    """The calls a class offers: public methods and properties, and the context and
    iteration protocols; each method's parameters without their annotations."""
    found: dict[str, inspect.Signature | str] = {}
    for name, member in inspect.getmembers(cls):
        if name.startswith("_") and name not in SPECIAL:
            continue
        if isinstance(inspect.getattr_static(cls, name), property):
            found[name] = "property"
        elif inspect.isfunction(member):
            parameters = [p.replace(annotation=inspect.Parameter.empty)
                          for p in inspect.signature(member).parameters.values()]
            found[name] = inspect.Signature(parameters)
    return found


@pytest.mark.parametrize("engine", [ArchiveIndex, OpenSearchIndex])
def test_each_engine_offers_exactly_the_backend_surface(engine):
    assert surface(engine) == surface(SearchBackend)


@pytest.mark.parametrize("stream", [Export, OpenSearchExport])
def test_each_export_offers_exactly_the_result_stream_surface(stream):
    assert surface(stream) == surface(ResultStream)


def test_the_surface_is_what_the_check_compares():
    """The comparison sees names, parameters and defaults (else the tests above prove
    nothing): a protocol with one default changed differs."""
    expected = surface(SearchBackend)
    assert {"search", "export", "get", "similar", "histogram", "__enter__"} <= set(expected)
    assert expected["similar"] != inspect.Signature([
        inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter("dispatch_id", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter("limit", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=6)])


def test_a_real_whoosh_index_and_its_export_are_what_the_protocol_says(tmp_path, seeds_dir):
    reindex(tmp_path / "index", [seeds_dir])
    with open_index(tmp_path / "index") as handle:
        assert isinstance(handle, SearchBackend)
        with handle.export(SearchRequest(query="", collapse_versions=False)) as rows:
            assert isinstance(rows, ResultStream)
            assert rows.total == handle.count() > 0
