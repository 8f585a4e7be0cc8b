"""The OpenSearch backend: the archive on a cluster, behind the surface of
index/whoosh/search.py's `ArchiveIndex` (`search.OpenSearchIndex`) and index/whoosh/writer.py's
`reindex` (`writer.reindex`). index/backend.py chooses between the two engines; nothing
else in `index/` imports this package, and no opensearch-py type leaves it. A query is
parsed by the Whoosh engine's parser and reaches this package as the plain nodes of
index/querytree.py (`ParsedQuery.tree`), which dsl.py turns into the query DSL; words
are analysed and hits highlighted with the archive's own analyzer and highlighter (see
index/whoosh/__init__.py), so that both engines read a query and show a snippet alike."""
