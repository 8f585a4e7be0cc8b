"""The rules of « Vouliez-vous dire », the same on both engines: when a query gets a
suggestion, which of its words are looked up, how far and how much more frequent a
replacement must be. Whoosh finds the candidates in its terms (index/whoosh/suggest.py),
OpenSearch with its term suggester (index/opensearch/suggest.py).
"""

# Edits (restricted Damerau-Levenshtein) between a word and its replacement, at most.
MAX_EDITS = 2
# A query finding fewer dispatches than this gets a suggestion when one of its words
# has a much more frequent neighbour; a word in fewer dispatches than this is looked up
# (« Sarkozi », said once, is a typo of « Sarkozy », said in a thousand).
FEW_HITS = 5
# A known word is replaced only by one in at least this many times as many dispatches.
RARER = 10
# Dispatches read to find how a word is most often written.
SURFACE_DOCS = 8
# Longer words are left as typed: the longest French words (« anticonstitutionnellement »)
# have 25 letters, and a word's cost grows with its length.
MAX_WORD_CHARS = 30
# Unknown words looked up in one query; the others are left as typed.
MAX_CORRECTED_WORDS = 8
