"""Dates as dispatches write them, read with their precision."""

from datetime import date

import pytest

from archive import PartialDate, Precision
from archive.dates import find_dateline, french_months, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019", PartialDate(2019)),
        ("2019-04", PartialDate(2019, 4)),
        ("2019-04-07", PartialDate(2019, 4, 7)),
        ("2019-4-7", PartialDate(2019, 4, 7)),
        ("2019-04-07T10:30:00+02:00", PartialDate(2019, 4, 7)),
        ("2019-04-07T08:30:00Z", PartialDate(2019, 4, 7)),
        ("2019-04-07 10:30", PartialDate(2019, 4, 7)),
        ("07/04/2019", PartialDate(2019, 4, 7)),
        ("7/4/2019", PartialDate(2019, 4, 7)),
        ("07.04.2019", PartialDate(2019, 4, 7)),
        ("7 avril 2019", PartialDate(2019, 4, 7)),
        ("1er avril 2019", PartialDate(2019, 4, 1)),
        ("avril 2019", PartialDate(2019, 4)),
        ("Avril 2019", PartialDate(2019, 4)),
        ("AVRIL 2019", PartialDate(2019, 4)),
        ("3 février 2019", PartialDate(2019, 2, 3)),
        ("3 fevrier 2019", PartialDate(2019, 2, 3)),
        ("15 août 2019", PartialDate(2019, 8, 15)),
        ("15 aout 2019", PartialDate(2019, 8, 15)),
        ("15 AOÛT 2019", PartialDate(2019, 8, 15)),
        ("décembre 2020", PartialDate(2020, 12)),
        ("decembre 2020", PartialDate(2020, 12)),
        ("3 févr. 2020", PartialDate(2020, 2, 3)),
        ("3 févr 2020", PartialDate(2020, 2, 3)),
        ("12 sept. 2018", PartialDate(2018, 9, 12)),
        ("  7 avril 2019\n", PartialDate(2019, 4, 7)),
    ],
)
def test_parse_date_reads_each_form(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "precision"),
    [("2019", Precision.YEAR), ("avril 2019", Precision.MONTH), ("7 avril 2019", Precision.DAY)],
)
def test_parsed_dates_keep_their_precision(text, precision):
    assert parse_date(text).precision == precision


def test_partial_date_iso_and_first_day():
    assert PartialDate(2019, 4).iso() == "2019-04"
    assert PartialDate(2019, 4, 7).iso() == "2019-04-07"
    assert PartialDate(2019).iso() == "2019"
    assert PartialDate(2019, 4).first_day() == date(2019, 4, 1)
    assert PartialDate.from_iso("2019-04") == PartialDate(2019, 4)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2019-13", "impossible date '2019-13'"),
        ("31/02/2019", "impossible date '31/02/2019'"),
        ("30 février 2019", "impossible date '30 février 2019'"),
        ("0 avril 2019", "impossible date '0 avril 2019'"),
        ("2019-00", "impossible date '2019-00'"),
        ("2019-04-00", "impossible date '2019-04-00'"),
        ("0000", "impossible date '0000'"),
        ("", "unrecognised date ''"),
        ("hier", "unrecognised date 'hier'"),
        ("avril", "unrecognised date 'avril'"),
        ("7 avril 20190", "unrecognised date '7 avril 20190'"),
        ("2019-04-07 et plus", "unrecognised date '2019-04-07 et plus'"),
        # Arabic-Indic digits are digits to `\d`, not to a dispatch's date.
        ("٢٠١٩", "unrecognised date '٢٠١٩'"),
    ],
)
def test_parse_date_refuses_with_a_reason(text, message):
    with pytest.raises(ValueError) as caught:
        parse_date(text)
    assert str(caught.value) == message


@pytest.mark.parametrize("parts", [(2019, 0), (2019, 4, 0), (2019, 2, 30), (2019, None, 1)])
def test_partial_date_refuses_impossible_parts(parts):
    with pytest.raises(ValueError):
        PartialDate(*parts)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # IGNORECASE matches the long s and the dotless i; the month must still be found.
        ("ſept 2019", PartialDate(2019, 9)),
        ("juıllet 2019", PartialDate(2019, 7)),
    ],
)
def test_parse_date_finds_the_month_of_any_case_insensitive_match(text, expected):
    assert parse_date(text) == expected


def test_french_months_come_from_babel_with_unaccented_forms():
    months = french_months()
    assert months["janvier"] == 1
    assert months["février"] == months["fevrier"] == 2
    assert months["août"] == months["aout"] == 8
    assert months["déc"] == months["dec"] == 12
    assert set(months.values()) == set(range(1, 13))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Paris, 7 avril 2019 (AFP) - L'armée américaine a annoncé", PartialDate(2019, 4, 7)),
        ("Tripoli, 1er avril 2019 (AFP) - Les combats", PartialDate(2019, 4, 1)),
        ("WASHINGTON, avril 2019 - Le secrétaire d'Etat", PartialDate(2019, 4)),
        ("Les combats ont repris en 2014 près de Tripoli.", None),
        ("Paris, 17 avril 20190 (AFP)", None),
        ("Habitmai 2019", None),
        ("Paris, 31 février 2019 (AFP)", None),
    ],
)
def test_find_dateline(text, expected):
    assert find_dateline(text) == expected
