"""Benchmark harness: our archive side by side with plain Whoosh and Tantivy.

`python -m bench` materialises real French dispatches into a temporary archive folder,
measures reindexing, query latency and HTTP throughput, and writes `docs/benchmarks.md`.
The peers run in the same process and on the same files, so the ratios can be trusted.
"""
