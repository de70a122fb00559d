"""Arabizi written back in Arabic letters, for the answer ranker (language/arabizi.py)."""
from __future__ import annotations

import pytest

from language.arabizi import looks_like_arabizi, to_arabic_script


@pytest.mark.parametrize("text, expected", [
    ("kam s3r el tazkara", "كم سعر ال تزكرة"),
    ("el 3awda b flous wala majanan?", "ال عودة ب فلوس ولا مجنن?"),
    ("3ayez arga3 baladi", "عيز ارجع بلدي"),
    ("shkoun ykhalas", "شكون يخلس"),
    ("ana mn sudan f libya", "انا من سودن ف لبية"),  # rough: read by n-grams, not by people
])
def test_arabizi_is_written_in_arabic_letters(text, expected):
    assert to_arabic_script(text) == expected


def test_arabic_letters_and_numbers_stay_as_they_are():
    assert to_arabic_script("انا في طرابلس 3 شهور") == "انا في طرابلس 3 شهور"


@pytest.mark.parametrize("text, arabizi", [
    ("bdi arj3 3al balad", True),
    ("ma7bous fi tari9 el matar", True),
    ("i want to go home", False),
    ("i am here 3 months", False),  # a number on its own is not Arabizi
    ("", False),
])
def test_arabizi_is_told_by_a_digit_inside_a_word(text, arabizi):
    assert looks_like_arabizi(text) is arabizi
