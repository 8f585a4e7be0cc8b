"""The Whoosh engine: the French analyzer pipeline, the schema and the index on disk
(a folder of segments), the full build and updates, and searching it.

Everything that imports Whoosh lives here, and `internals.py` holds every use of its
private internals. What does not depend on the engine (plain types, the French rules,
story grouping, the scan of the files) is the core's, in `index/`. The OpenSearch engine
borrows this engine's query parser (`query.read`, whose result it reads as the plain
nodes of index/querytree.py, never as Whoosh queries), its analyzer and its highlighter
(`hits.py`, `snippets.py`), so that a query means, and a snippet shows, the same on both.
"""
