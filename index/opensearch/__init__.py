"""The OpenSearch backend, in preparation: for now the index settings and mapping
(`index.opensearch.mapping`). Nothing here is imported by the rest of `index/`."""
