"""WhatsApp menus as native quick-reply buttons and list pickers (issue 13), through the real
channel code against the fake Twilio API's Content API."""
from __future__ import annotations

import pytest
import pytest_asyncio

from actions.replies import main_menu_options, topic_options
from content.knowledge import load_knowledge
from privacy.pseudonym import pseudonymise
from channels import menu_token
from channels import whatsapp_content as wc
from tests.channels.menu_bot import MenuBot
from testing.harness import Harness, twilio_env, twilio_message
from testing.twilio_api import button_reply, content_problem, definition_problem, list_reply

NUMBER = "+221771234567"
KB = load_knowledge()
LANGUAGES = sorted(KB.languages)


def cid() -> str:
    return pseudonymise("whatsapp", NUMBER)


# -- titles within WhatsApp's limits, in every language ---------------------------------------

def test_shortening_drops_an_aside_then_words_and_keeps_titles_distinct():
    assert wc.shorten("Going home (voluntary return)", 20) == "Going home"
    assert wc.shorten("Travel documents and embassy", 20) == "Travel documents…"
    assert len(wc.shorten("Supercalifragilisticexpialidocious", 20)) == 20
    assert wc.shorten_all(["Risks of the desert crossing", "Risks of the sea crossing"], 20) == [
        "Risks of the desert…", "Risks of the sea…"]
    alike = wc.shorten_all(["Documents for adults", "Documents for children", "Help"], 14)
    assert alike == ["1. Documents…", "2. Documents…", "3. Help"]  # the number keeps them apart


def _all_menus(language):
    yield "main", main_menu_options(language)
    for group in KB.menu_groups:
        yield f"group {group.id}", topic_options(group.topics, language)
    for topic, article in KB.articles.items():
        yield f"follow-ups of {topic}", topic_options(list(article.follow_ups), language)
    yield "languages", [(f"language:{c}", lang.native_name) for c, lang in KB.languages.items()]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_menu_of_every_language_fits_whatsapps_limits(language):
    from actions.replies import render_menu

    for name, options in _all_menus(language):
        buttons = [{"title": f"{n}. {t}", "payload": str(n), "option": o, "label": t}
                   for n, (o, t) in enumerate(options, 1)]
        made = menu_token.choices("wa-" + "0" * 32, buttons)
        assert len(made) == len(buttons), name
        message = wc.interactive(render_menu(KB.text("help_intro", language), options), made,
                                 KB.text("wa_list_button", language))
        assert message is not None, f"{language} {name} does not fit"
        definition = next(t for t in wc.all_templates() if t["friendly_name"] == message.name)
        import json
        rendered = json.loads(wc._VAR_RE.sub(lambda m, values=message.variables: json.dumps(values[m.group(1)])[1:-1],
                                             json.dumps(definition["types"], ensure_ascii=False)))
        assert content_problem(rendered) is None, f"{language} {name}: {content_problem(rendered)}"
        assert message.kind == (wc.QUICK_REPLY if len(options) <= 3 else wc.LIST_PICKER)


def test_list_descriptions_say_what_an_item_opens_within_72_characters():
    assert wc.describe(["Dangers in the desert", "Dangers at sea"], "Dangers") == "Dangers in the desert, Dangers at sea"
    names = [lang.native_name for lang in KB.languages.values()]
    assert wc.describe(names, "Change language").split() == names  # every name, if only without commas
    long = wc.describe(["A first sentence that goes on and on about the road ahead and its many dangers"], "X")
    assert len(long) <= 72 and long.endswith("…") and " " not in long[-2:]
    assert wc.describe([], "Talk to a person") == "Talk to a person"  # nothing to add: its full title


@pytest.mark.asyncio
async def test_the_fake_content_api_refuses_a_list_item_without_a_description(fake_twilio):
    import httpx

    old_layout = wc.template_definition(wc.LIST_PICKER, 4)  # as v1 was: item and id only
    for item in old_layout["types"]["twilio/list-picker"]["items"]:
        del item["description"]
    async with httpx.AsyncClient(auth=(fake_twilio.account_sid, fake_twilio.auth_token)) as client:
        response = await client.post(f"{fake_twilio.base_url}/v1/Content", json=old_layout)
    assert response.status_code == 400 and response.json()["code"] == 20001
    assert "description" in response.json()["message"] and fake_twilio.contents == {}
    assert all(definition_problem(t["types"]) is None for t in wc.all_templates())


def test_a_menu_over_ten_options_or_a_body_over_1024_is_not_interactive():
    made = menu_token.choices("wa-x", [{"title": f"{n}. T{n}", "payload": str(n), "option": "handoff"}
                                       for n in range(1, 12)])
    assert wc.interactive("text", made, "Choose") is None
    assert wc.interactive("x" * 1025, made[:2], "Choose") is None


# -- end to end ----------------------------------------------------------------------------------

@pytest_asyncio.fixture
async def wa(db_url, store, fake_twilio, monkeypatch):
    harness = Harness(store, MenuBot("en"), twilio_fake=fake_twilio)
    for name, value in twilio_env(fake_twilio, harness.base_url).items():
        monkeypatch.setenv(name, value)
    await harness.start()
    yield harness
    await harness.stop()


async def _post(harness, form) -> None:
    response = await harness.post_twilio(form)
    assert response.status_code == 200, response.text
    await harness.settle()


async def _sync(fake_twilio):
    from bot.cli_whatsapp import sync_content

    return await sync_content()


@pytest.mark.asyncio
async def test_sync_content_creates_the_templates_once_and_finds_them_again(wa, fake_twilio):
    first = await _sync(fake_twilio)
    assert sorted(first) == sorted(t["friendly_name"] for t in wc.all_templates()) and len(first) == 10
    again = await _sync(fake_twilio)
    assert again == first and len(fake_twilio.contents) == 10  # found, not created twice
    assert all(set(c["types"]) >= {"twilio/text"} for c in fake_twilio.contents.values())


@pytest.mark.asyncio
async def test_menus_go_out_as_a_list_then_buttons_and_an_old_list_item_answers_what_it_said(wa, fake_twilio):
    await _sync(fake_twilio)
    await _post(wa, twilio_message(NUMBER, "hello"))
    [main_menu] = fake_twilio.content_messages(NUMBER)
    picker = main_menu.rendered["twilio/list-picker"]
    assert picker["button"] == "Choose" and len(picker["items"]) == 6
    assert picker["body"] == main_menu.rendered["twilio/text"]["body"]  # the numbered text is the fallback
    assert "3. Travel documents and embassy" in picker["body"]
    documents = picker["items"][2]
    await _post(wa, list_reply(NUMBER, documents["id"], documents["item"]))
    buttons = fake_twilio.content_messages(NUMBER)[-1].rendered["twilio/quick-reply"]["actions"]
    assert len(buttons) == 3 and all(len(b["title"]) <= 20 for b in buttons)
    assert wa.bot.texts()[-1] == "3"  # Rasa sees the number, not the title WhatsApp put in Body
    # tap the first button (an article), then the OLD list's "Going home" item
    await _post(wa, button_reply(NUMBER, buttons[0]["id"], buttons[0]["title"]))
    going_home = picker["items"][1]
    await _post(wa, list_reply(NUMBER, going_home["id"], going_home["item"]))
    assert wa.bot.menu(cid())[0] == "topic:avr_overview"


@pytest.mark.asyncio
async def test_list_items_describe_their_options_in_the_language_just_chosen(db_url, store, fake_twilio, monkeypatch):
    bot = MenuBot("fr")
    harness = Harness(store, bot, twilio_fake=fake_twilio)
    for name, value in twilio_env(fake_twilio, harness.base_url).items():
        monkeypatch.setenv(name, value)
    await harness.start()
    try:
        await _sync(fake_twilio)  # the first message: no language is stored for this number yet
        await _post(harness, twilio_message(NUMBER, "hello"))
    finally:
        await harness.stop()
    items = fake_twilio.content_messages(NUMBER)[-1].rendered["twilio/list-picker"]["items"]
    descriptions = [item["description"] for item in items]
    assert all(0 < len(d) <= 72 for d in descriptions)
    risks = KB.group("risks")
    assert descriptions[0].startswith(f"{KB.topic_title(risks.topics[0], 'fr')}, {KB.topic_title(risks.topics[1], 'fr')}")
    assert descriptions[4] == KB.text("menu_talk_to_person", "fr")
    assert all(lang.native_name in descriptions[5] for lang in KB.languages.values())


@pytest.mark.parametrize("as_button", [False, True], ids=["ListId", "ButtonPayload"])
@pytest.mark.asyncio
async def test_a_list_pick_is_read_from_list_id_or_button_payload(wa, fake_twilio, as_button):
    await _sync(fake_twilio)
    await _post(wa, twilio_message(NUMBER, "hello"))
    items = fake_twilio.content_messages(NUMBER)[-1].rendered["twilio/list-picker"]["items"]
    await _post(wa, list_reply(NUMBER, items[2]["id"], items[2]["item"], as_button=as_button))
    assert wa.bot.texts()[-1] == "3"  # the signed id, not the title in Body
    assert menu_token.read(cid(), wa.bot.turns[-1].metadata["tap"]).value == "group:documents"


@pytest.mark.asyncio
async def test_typed_digits_still_work_and_a_forged_payload_gets_the_old_menu_answer(wa, fake_twilio):
    await _sync(fake_twilio)
    await _post(wa, twilio_message(NUMBER, "hello"))
    await _post(wa, twilio_message(NUMBER, "3"))
    assert wa.bot.menu(cid()) == ["topic:travel_document", "topic:embassy_contact", "handoff"]
    await _post(wa, button_reply(NUMBER, "t1.zzzzz.1.flow:screening.AAAAAAAAAAA", "Check"))
    last = fake_twilio.content_messages(NUMBER)[-1].rendered
    assert last["twilio/text"]["body"].startswith(KB.text("menu_expired", "en"))


@pytest.mark.asyncio
async def test_without_templates_menus_stay_numbered_text(wa, fake_twilio):
    await _post(wa, twilio_message(NUMBER, "hello"))
    assert fake_twilio.content_messages(NUMBER) == []
    assert "3. Travel documents and embassy" in fake_twilio.bodies(NUMBER)[-1]


@pytest.mark.asyncio
async def test_refused_content_falls_back_to_the_numbered_text(wa, fake_twilio):
    await _sync(fake_twilio)
    for content in fake_twilio.contents.values():  # e.g. an edited template: limits now broken
        content["types"]["twilio/list-picker"] = {"body": "{{1}}", "button": "{{99}}", "items": []} \
            if "twilio/list-picker" in content["types"] else content["types"].get("twilio/list-picker")
        content["types"] = {k: v for k, v in content["types"].items() if v is not None}
    await _post(wa, twilio_message(NUMBER, "hello"))
    assert "3. Travel documents and embassy" in fake_twilio.bodies(NUMBER)[-1]


@pytest.mark.asyncio
async def test_a_menu_when_twilio_says_the_window_closed_becomes_the_approved_template(wa, fake_twilio):
    from testing.harness import TEMPLATE_SID

    await _sync(fake_twilio)
    fake_twilio.outside_window(NUMBER, mode="sync")  # our clock says open; interactive content is refused
    await _post(wa, twilio_message(NUMBER, "hello"))
    assert fake_twilio.messages[-1].params["ContentSid"] == TEMPLATE_SID
    assert fake_twilio.content_messages(NUMBER) == []


@pytest.mark.asyncio
async def test_a_button_of_the_approved_template_is_read_as_its_text(wa, fake_twilio):
    await _post(wa, button_reply(NUMBER, "CONTINUE_CONVERSATION", "hello"))
    assert wa.bot.texts() == ["hello"] and "tap" not in wa.bot.turns[0].metadata


@pytest.mark.asyncio
async def test_the_sync_content_command_prints_every_template_id(db_url, fake_twilio, monkeypatch, capsys):
    import asyncio

    from bot.__main__ import main

    for name, value in twilio_env(fake_twilio, "https://bot.example.org").items():
        monkeypatch.setenv(name, value)
    assert await asyncio.to_thread(main, ["whatsapp", "sync-content"]) == 0  # its own event loop
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 10 and {line.split()[0] for line in lines} == set(fake_twilio.contents)
    assert fake_twilio.auth_token not in "\n".join(lines)
