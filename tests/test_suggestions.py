"""« Vouliez-vous dire »: for a query finding (almost) nothing, a much more frequent word
close to an unknown or rare one, written as dispatches most often write it.

On a real index of a small crafted archive.
"""

from pathlib import Path

import pytest

from index import SearchRequest, SearchResult, open_index, reindex
from index.suggestions import FEW_HITS, RARER


def _dispatches() -> dict[str, str]:
    files = {}
    # « continuent » in more dispatches than « confinement », but two substitutions
    # away from « confinment », where « confinement » is one omission away.
    for i in range(6):
        files[f"continuent-{i}.txt"] = f"date 2020-03-{i + 1:02d}\nManifestations {i}\n\nLes grèves continuent à Lyon.\n"
    for i in range(3):
        files[f"confinement-{i}.txt"] = f"date 2020-04-{i + 1:02d}\nSanté {i}\n\nLe confinement est prolongé.\n"
    # « Sarkozy » in RARER times as many dispatches as the typo « Sarkozi ».
    for i in range(RARER):
        files[f"sarkozy-{i}.txt"] = f"date 2011-05-{i + 1:02d}\nÉlysée {i}\n\nNicolas Sarkozy reçoit.\n"
    files["sarkozi.txt"] = "date 2011-06-01\nCoquille\n\nNicolas Sarkozi reçoit.\n"
    # « Pompeo » written with its capital three times, once in capitals.
    files["pompeo-1.txt"] = "date 2019-04-01\nDiplomatie\n\nMike Pompeo à Berlin, puis Pompeo à Paris.\n"
    files["pompeo-2.txt"] = "date 2019-04-02\nVisite\n\nPOMPEO ARRIVE. Pompeo rencontre ses homologues.\n"
    # « Castex » in two dispatches, « Castel » in one: a rarer word is never offered.
    files["castex-1.txt"] = "date 2020-07-03\nMatignon\n\nJean Castex nommé.\n"
    files["castex-2.txt"] = "date 2020-07-04\nGouvernement\n\nJean Castex présente son équipe.\n"
    files["castel.txt"] = "date 2020-07-05\nChâteau\n\nLe castel du village.\n"
    return files


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("suggest-archive")
    for name, text in _dispatches().items():
        (root / name).write_text(text, encoding="utf-8")
    directory = tmp_path_factory.mktemp("suggest-index")
    reindex(directory, [root])
    return directory


def search(index_dir: Path, text: str) -> SearchResult:
    return open_index(index_dir).search(SearchRequest(query=text, collapse_versions=False))


def test_one_omission_beats_a_more_frequent_word_two_edits_away(index_dir):
    assert search(index_dir, "confinment").suggestion == "confinement"


def test_a_rare_word_with_a_much_more_frequent_neighbour_is_corrected(index_dir):
    result = search(index_dir, "Sarkozi")
    assert result.total == 1 < FEW_HITS
    assert result.suggestion == "Sarkozy"


def test_the_suggestion_is_written_as_dispatches_most_often_write_it(index_dir):
    assert search(index_dir, "pompeoo").suggestion == "Pompeo"
    assert search(index_dir, "Pompeoo Berlin").suggestion == "Pompeo Berlin"


def test_only_more_frequent_words_are_proposed(index_dir):
    # « Castex » (2 dispatches) has « castel » (1) one letter away: nothing to propose.
    result = search(index_dir, "Castex")
    assert result.total == 2
    assert result.suggestion is None
    # Typed « Castez », both are one letter away: the more frequent.
    assert search(index_dir, "Castez").suggestion == "Castex"


def test_no_suggestion_when_the_query_finds_enough(index_dir):
    # « Sarkozy » finds RARER dispatches: nothing is offered, even for a rare word beside.
    assert search(index_dir, "Sarkozy").suggestion is None
    assert search(index_dir, "continuent").suggestion is None
