"""The knowledge base is complete, sourced and safe, and the checker catches what it must."""
from __future__ import annotations

import re
import shutil

import pytest
import yaml

from content.knowledge import KnowledgeBase, load_knowledge
from content.check import check, contact_problems
from content.sources import NOT_HERE, NOT_VERBATIM, UNKNOWN, VERIFIED, verify_quote
from core.paths import KNOWLEDGE_DIR, SOURCES_DIR

KB = load_knowledge()
STABLE_TOPICS = [
    "risk_desert", "risk_sea", "risk_trafficking", "risk_detention", "regular_pathways", "avr_overview",
    "avr_eligibility", "avr_process", "reintegration", "travel_document", "embassy_contact",
    "assistance_centres", "medical_help", "report_abuse", "asylum", "minors",
]


def test_the_shipped_knowledge_base_passes_the_checker():
    assert check(KB) == []


def test_topic_ids_are_the_stable_contract():
    assert KB.topic_ids == STABLE_TOPICS


@pytest.mark.parametrize("topic", STABLE_TOPICS)
def test_every_topic_has_every_language_and_a_real_source(topic):
    article = KB.articles[topic]
    assert set(article.texts) == set(KB.languages)
    assert article.sources
    for source in article.sources:
        # the quoted evidence really is in the source's local copy (CI has it; a bare clone does not)
        expected = {VERIFIED} if SOURCES_DIR.exists() else {NOT_HERE}
        assert verify_quote(KB, source, SOURCES_DIR) in expected, source["quote"][:60]


@pytest.mark.parametrize("code", ["fr", "ar", "ha", "pcm", "so", "ti", "am", "pt"])
def test_translations_not_reviewed_by_a_native_speaker_are_marked(code):
    for article in KB.articles.values():
        assert article.texts[code].reviewed is False
    assert KB.ui_reviewed[code] is False


def test_no_phone_number_in_any_user_facing_text():
    texts = [t.answer for a in KB.articles.values() for t in a.texts.values()]
    texts += [v for strings in KB.ui.values() for v in strings.values()]
    assert [t for t in texts if contact_problems(t)] == []


@pytest.mark.parametrize(
    "text",
    ["Call +218 91 234 5678 now", "appelez le 00227 20 72 31 21", "see www.example.org", "write to help@iom.int",
     "go to 12 rue de la Paix", "visit https://example.com/page"],
)
def test_contact_detector_catches_invented_contacts(text):
    assert contact_problems(text)


def _copy_kb(tmp_path):
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target


def test_checker_fails_on_missing_language(tmp_path):
    root = _copy_kb(tmp_path)
    (root / "topics" / "risk_sea" / "so.yml").unlink()
    assert any("risk_sea/so.yml: missing" in p for p in check(KnowledgeBase(root)))


def test_checker_fails_on_unverified_phone_number(tmp_path):
    root = _copy_kb(tmp_path)
    path = root / "topics" / "embassy_contact" / "en.yml"
    doc = yaml.safe_load(path.read_text())
    doc["answer"] = "Call the embassy on +234 803 123 4567."
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    assert any("phone number" in p for p in check(KnowledgeBase(root)))


def test_checker_fails_on_missing_source_and_broken_follow_up(tmp_path):
    root = _copy_kb(tmp_path)
    path = root / "topics" / "asylum" / "article.yml"
    doc = yaml.safe_load(path.read_text())
    doc["sources"] = []
    doc["follow_ups"] = ["no_such_topic"]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    problems = check(KnowledgeBase(root))
    assert any("no source" in p for p in problems)
    assert any("no_such_topic" in p for p in problems)


def test_checker_fails_on_a_before_return_answer_that_does_not_exist(tmp_path):
    root = _copy_kb(tmp_path)
    path = root / "entries" / "reintegration_psychosocial" / "entry.yml"
    doc = yaml.safe_load(path.read_text())
    assert doc["before_return"] in KB.answers  # the shipped one names a real answer
    doc["before_return"] = "help_psychosocial_gone"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    assert any("before_return 'help_psychosocial_gone'" in p for p in check(KnowledgeBase(root)))


def test_ui_placeholders_are_kept_in_every_language():
    for code, strings in KB.ui.items():
        for key, value in KB.ui["en"].items():
            assert set(re.findall(r"\{\w+\}", value)) == set(re.findall(r"\{\w+\}", strings[key])), (code, key)


def test_the_checker_finds_a_follow_up_to_a_missing_entry_and_unknown_languages(tmp_path):
    import shutil

    from content.knowledge import load_knowledge
    from content.check import check_conversation_data
    from core.paths import KNOWLEDGE_DIR

    for name in ("follow_ups.yml", "consent_words.yml", "language_hints.yml", "story_needs.yml"):
        shutil.copy(KNOWLEDGE_DIR / name, tmp_path / name)
    kb = load_knowledge()
    assert check_conversation_data(kb, tmp_path) == []
    (tmp_path / "follow_ups.yml").write_text("ask_cost:\n  default: avr_cost_not_written_yet\n", encoding="utf-8")
    (tmp_path / "language_hints.yml").write_text("hints:\n  xx: [hallo]\n", encoding="utf-8")
    (tmp_path / "story_needs.yml").write_text(
        "needs:\n  no_money:\n    answer: avr_no_money_gone\n    phrases: {yy: [no money]}\n"
        "instead:\n  sexual_violence:\n    answer: help_gbv\n    instead_of: [help_medical_gone]\n"
        "    phrases: {en: [raped]}\n"
        "only_when_said:\n  afraid:\n    answer: avr_cannot_go_home\n    otherwise: avr_overview_gone\n"
        "    phrases: {zz: [afraid]}\n"
        "asking_to_check:\n  phrases: {qq: [check my case]}\n"
        "after_answer:\n  reporting:\n    after: [report_abuse_gone]\n    answer: report_abuse\n"
        "    instead_of: [help_gbv]\n    unless_said: no_such_rule\n"
        "  papers:\n    after_topics: [no_such_topic]\n    when_said: no_such_need\n    answer: avr_undocumented\n"
        "    instead_of: [travel_document]\n    unles_wish: true\n"
        "  lacks:\n    answer: avr_undocumented\n    instead_of: [travel_document]\n"
        "    lacking: {thing: {en: [passport]}}\n"
        "asking_what:\n  phrases: {en: [what]}\n", encoding="utf-8")
    problems = check_conversation_data(kb, tmp_path)
    assert any("unknown key 'unles_wish'" in p for p in problems)
    assert any("lacking: unknown key 'thing'" in p for p in problems)
    assert any("unknown section 'asking_what'" in p for p in problems)
    assert any("no_such_topic" in p for p in problems) and any("no_such_need" in p for p in problems)
    assert any("'qq'" in p for p in problems) and any("report_abuse_gone" in p for p in problems)
    assert any("no_such_rule" in p for p in problems)
    assert any("help_medical_gone" in p for p in problems)
    assert any("avr_overview_gone" in p for p in problems) and any("'zz'" in p for p in problems)
    assert any("avr_cost_not_written_yet" in p for p in problems) and any("'xx'" in p for p in problems)
    assert any("avr_no_money_gone" in p for p in problems) and any("'yy'" in p for p in problems)


def test_quotes_are_verified_where_a_local_copy_is_here_and_only_noticed_where_not(tmp_path):
    from content.check import check

    (tmp_path / "004_11ae2459f9ef07b6.txt").write_text("IOM helps.\nMigrants   return home\nsafely.", encoding="utf-8")
    good = {"source": "eu_iom_ji_five_years", "quote": "Migrants return home safely."}
    assert verify_quote(KB, good, tmp_path) == VERIFIED
    assert verify_quote(KB, {**good, "quote": "Migrants fly first class."}, tmp_path) == NOT_VERBATIM
    assert verify_quote(KB, {"source": "no_such_source", "quote": "x"}, tmp_path) == UNKNOWN
    assert verify_quote(KB, good, tmp_path / "absent") == NOT_HERE
    notices: list = []
    problems = check(KB, tmp_path / "absent", notices)  # a bare clone: nothing to compare with
    assert problems == [] and notices and all("not verifiable here" in n for n in notices)


def test_every_cited_source_is_listed_with_title_and_publisher():
    from content.sources import check_sources_registry, local_copy

    assert check_sources_registry(KB) == []
    cited = [s for a in KB.answers.values() for s in a.sources]
    assert cited and all(local_copy(KB, s, SOURCES_DIR)[0] is not None for s in cited)


def test_the_report_lists_review_status_per_language_and_stale_answers():
    import datetime as dt

    from content.sources import report

    text = report(KB, max_age_days=30, today=dt.date(2030, 1, 1))
    assert "| avr_overview | topic | ✓ | · |" in text  # English original, French draft
    assert "Not reviewed within 30 days" in text and "avr_overview" in text.split("Not reviewed within")[1]


def test_country_guidance_follows_the_answer_for_a_person_in_that_country(dispatcher):
    from actions.knowledge_answer import answer_topic

    libya = [n["entry"] for n in KB.country_guidance["libya"]["notes"]]
    assert libya, "the Libya guidance has notes"
    note = KB.country_note("libya", libya[0], "fr")
    assert note and note != KB.country_note("libya", libya[0], "en")
    answer_topic(dispatcher, libya[0], "fr", country="libya")
    assert note in dispatcher.messages[0]["text"]
    assert KB.country_note("mali", libya[0], "fr") != note  # another country, another note (or none)
    assert KB.country_note(None, libya[0], "fr") == ""
