"""The reference points our figures are divided by: plain Whoosh and Tantivy.

Each peer indexes the same files as we do (read by `bench.corpus.read_back`) and answers
the same queries with the same matching rule, so a ratio compares engines, not inputs.
"""

from bench.engine import PeerEngine

WHOOSH = PeerEngine("whoosh", "plain Whoosh", "bench.peers.plain_whoosh")
TANTIVY = PeerEngine("tantivy", "Tantivy", "bench.peers.tantivy_peer")
PEERS = (WHOOSH, TANTIVY)
