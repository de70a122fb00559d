import pytest

from rasa_extensions.nlu.menu_number import parse_option_number


@pytest.mark.parametrize("text,number", [("1", 1), (" 2. ", 2), ("3)", 3), ("١", 1), ("٣", 3), ("፪", 2), ("12", 12), ("#4", 4)])
def test_numbers_in_every_script_pick_an_option(text, number):
    assert parse_option_number(text) == number


@pytest.mark.parametrize("text", ["", "one", "1 2", "123", "hello 1", "1a"])
def test_other_messages_are_not_menu_choices(text):
    assert parse_option_number(text) is None
