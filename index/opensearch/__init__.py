"""The OpenSearch backend: the archive on a cluster, behind the surface of
index/whoosh/search.py's `ArchiveIndex` (`search.OpenSearchIndex`) and index/whoosh/writer.py's
`reindex` (`writer.reindex`). index/backend.py chooses between the two engines; nothing
else in `index/` imports this package, and no opensearch-py type leaves it."""
