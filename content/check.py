"""`python -m bot knowledge check`: refuse content that is incomplete, unsourced or unsafe.

Fails on: a missing language, a missing or non-existent source, a broken follow-up, a reply
over the limits, a ui string missing or with changed placeholders, and any phone number, URL,
e-mail or street address in text a user sees (contacts may only come from a verified directory);
and on data/rules/knowledge.yml or domain.yml disagreeing with the topics (content/rules.py).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import List, Optional

from content.knowledge import CONTACT_FIELDS, WHEN_SAID_HOME, KnowledgeBase, said_rules
from content.menus import render_menu, topic_options, unreviewed_note
from content.sources import check_citations, check_country_guidance, check_entries
from core.paths import KNOWLEDGE_DIR, SOURCES_DIR

MAX_ANSWER_CHARS = 420
MAX_TITLE_CHARS = 40
MAX_FIRST_REPLY_CHARS = 600        # the whole first reply: answer, label, numbered menu
TELEGRAM_LIMIT, TWILIO_LIMIT = 4096, 1600

PHONE = re.compile(r"(?:\+|00)\s?\d[\d\s().-]{6,}\d|\b\d{2,4}[\s.-]\d{2,4}[\s.-]\d{2,4}(?:[\s.-]\d{2,4})?\b")
URL = re.compile(r"\bhttps?://|\bwww\.|\b[\w-]+\.(?:org|com|int|net|gov|eu|info)\b", re.IGNORECASE)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
STREET = re.compile(r"\b\d+\s*,?\s*(?:rue|avenue|street|road|st\.|av\.|boulevard|bd)\b", re.IGNORECASE)


def contact_problems(text: str) -> List[str]:
    found = []
    for name, pattern in (("phone number", PHONE), ("URL", URL), ("e-mail", EMAIL), ("street address", STREET)):
        match = pattern.search(text)
        if match:
            found.append(f"{name} '{match.group(0).strip()}'")
    return found


def check(kb: KnowledgeBase, sources_dir: Path = SOURCES_DIR, notices: Optional[List[str]] = None) -> List[str]:
    """Problems (the check fails on any); quotes that cannot be verified here go to `notices`."""
    notices = notices if notices is not None else []
    problems: List[str] = []
    languages = list(kb.languages)
    reference_keys = set(kb.ui.get(kb.default_language, {}))
    placeholder = re.compile(r"\{\w+\}")
    for code in languages:
        strings = kb.ui.get(code)
        if strings is None:
            problems.append(f"ui/{code}.yml: missing")
            continue
        for key in sorted(reference_keys - set(strings)):
            problems.append(f"ui/{code}.yml: missing string '{key}'")
        for key, value in strings.items():
            if key in reference_keys and set(placeholder.findall(value)) != set(placeholder.findall(kb.ui[kb.default_language][key])):
                problems.append(f"ui/{code}.yml: '{key}' changes the {{placeholders}}")
            problems += [f"ui/{code}.yml: '{key}' contains a {p}" for p in contact_problems(value)]
    for topic in kb.topic_ids:
        article = kb.articles.get(topic)
        where = f"topics/{topic}"
        if article is None:
            problems.append(f"{where}/article.yml: missing")
            continue
        if article.id != topic:
            problems.append(f"{where}/article.yml: id '{article.id}' differs from the folder")
        if not article.sources:
            problems.append(f"{where}/article.yml: no source")
        problems += check_citations(kb, f"{where}/article.yml", article.sources, sources_dir, notices)
        for source in article.sources:
            if not source.get("section"):
                problems.append(f"{where}/article.yml: a source names no section")
        if not 1 <= len(article.follow_ups) <= 3:
            problems.append(f"{where}/article.yml: needs 1 to 3 follow_ups")
        for follow_up in article.follow_ups:
            if follow_up not in kb.topic_ids:
                problems.append(f"{where}/article.yml: follow-up '{follow_up}' is not a topic")
        for code in languages:
            text = article.texts.get(code)
            if text is None:
                problems.append(f"{where}/{code}.yml: missing")
                continue
            if not text.answer:
                problems.append(f"{where}/{code}.yml: empty answer")
            if len(text.answer) > MAX_ANSWER_CHARS:
                problems.append(f"{where}/{code}.yml: answer has {len(text.answer)} characters (max {MAX_ANSWER_CHARS})")
            if not text.title or len(text.title) > MAX_TITLE_CHARS:
                problems.append(f"{where}/{code}.yml: title must have 1 to {MAX_TITLE_CHARS} characters")
            problems += [f"{where}/{code}.yml: answer contains a {p}" for p in contact_problems(text.answer)]
    problems += check_flows(kb, sources_dir, notices)
    problems += check_conversation_data(kb)
    problems += check_entries(kb, sources_dir, notices)
    problems += check_country_guidance(kb, _country_ids(kb), sources_dir, notices)
    if not problems:
        problems += _check_rendered_replies(kb)
    return problems


def check_conversation_data(kb: KnowledgeBase, root: Path = KNOWLEDGE_DIR) -> List[str]:
    """follow_ups.yml and story_needs.yml name known answers; consent_words.yml, language_hints.yml and
    story_needs.yml known languages."""
    import yaml

    problems: List[str] = []
    follow_ups = yaml.safe_load((root / "follow_ups.yml").read_text(encoding="utf-8")) or {}
    for intent, rule in follow_ups.items():
        for entry in [rule.get("default"), *(rule.get("after") or {}).keys(), *(rule.get("after") or {}).values()]:
            if entry not in kb.answers:
                problems.append(f"follow_ups.yml: {intent} names '{entry}', which is not an answer (topic or entry)")
    languages = set(kb.languages) | {"all"}
    consent = yaml.safe_load((root / "consent_words.yml").read_text(encoding="utf-8")) or {}
    for answer in ("yes", "no", "full"):
        problems += [f"consent_words.yml: unknown language '{code}' under {answer}"
                     for code in (consent.get(answer) or {}) if code not in languages]
        problems += [f"consent_words.yml: no '{answer}' words in '{code}'"
                     for code in kb.languages if not (consent.get(answer) or {}).get(code)]
    hints = (yaml.safe_load((root / "language_hints.yml").read_text(encoding="utf-8")) or {}).get("hints") or {}
    problems += [f"language_hints.yml: unknown language '{code}'" for code in hints if code not in kb.languages]
    story_needs = yaml.safe_load((root / "story_needs.yml").read_text(encoding="utf-8")) or {}
    problems += _unknown_rule_keys(story_needs)
    needs = said_rules(story_needs)
    for name, rule in (story_needs.get("instead") or {}).items():
        problems += [f"story_needs.yml: {name} replaces '{answer}', which is not an answer"
                     for answer in rule.get("instead_of") or () if answer not in kb.answers]
        problems += [f"story_needs.yml: {name}: unknown language '{code}'"
                     for code in rule.get("with") or {} if code not in kb.languages]
    for name, rule in (story_needs.get("only_when_said") or {}).items():
        if rule.get("otherwise") not in kb.answers:
            problems.append(f"story_needs.yml: {name}: otherwise '{rule.get('otherwise')}' is not an answer")
    problems += [f"story_needs.yml: asking_to_check: unknown language '{code}'"
                 for code in (story_needs.get("asking_to_check") or {}).get("phrases") or {} if code not in kb.languages]
    instead = story_needs.get("instead") or {}
    for name, rule in (story_needs.get("after_answer") or {}).items():
        problems += [f"story_needs.yml: {name}: '{answer}' is not an answer"
                     for answer in [rule.get("answer"), *(rule.get("after") or ()), *(rule.get("instead_of") or ())]
                     if answer not in kb.answers]
        problems += [f"story_needs.yml: {name}: after_topics '{topic}' is not a topic"
                     for topic in rule.get("after_topics") or () if topic not in kb.articles]
        problems += [f"story_needs.yml: {name}: unknown language '{code}'"
                     for code in rule.get("phrases") or {} if code not in kb.languages]
        if rule.get("when_said") and rule["when_said"] not in needs and rule["when_said"] != WHEN_SAID_HOME:
            problems.append(f"story_needs.yml: {name}: when_said '{rule['when_said']}' is not a need, a rule or home")
        if rule.get("unless_said") and rule["unless_said"] not in instead:
            problems.append(f"story_needs.yml: {name}: unless_said '{rule['unless_said']}' is not a rule of `instead`")
    for name, need in needs.items():
        if need.get("answer") not in kb.answers:
            problems.append(f"story_needs.yml: {name} names '{need.get('answer')}', which is not an answer")
        problems += [f"story_needs.yml: {name} replaces '{answer}', which is not an answer"
                     for answer in need.get("also_instead_of") or () if answer not in kb.answers]
        problems += [f"story_needs.yml: {name}: unknown language '{code}'"
                     for code in need.get("phrases") or {} if code not in kb.languages]
        problems += [f"story_needs.yml: {name}: lacking: {key}: unknown language '{code}'"
                     for key, words in (need.get("lacking") or {}).items() for code in words or {}
                     if code not in kb.languages]
    return problems


# the keys each rule of story_needs.yml may hold (retrieval/story_needs.py reads them): a misspelt
# flag ("unles_wish") would otherwise be ignored, and the rule would fire where it must not
STORY_RULE_KEYS = {
    "needs": {"answer", "also_instead_of", "phrases", "lacking"},
    "instead": {"answer", "instead_of", "phrases", "with", "unless_wish"},
    "only_when_said": {"answer", "otherwise", "phrases"},
    "after_answer": {"after", "after_topics", "answer", "instead_of", "phrases", "when_said", "unless_said",
                     "unless_wish"},
}
STORY_SECTION_KEYS = {"asking_how": {"answer", "phrases"}, "asking_to_check": {"phrases"}}
LACKING_KEYS = {"things", "before", "after", "filler"}


def _unknown_rule_keys(story_needs: dict) -> List[str]:
    problems = [f"story_needs.yml: unknown section '{section}'" for section in story_needs
                if section not in STORY_RULE_KEYS and section not in STORY_SECTION_KEYS]
    for section, keys in STORY_SECTION_KEYS.items():
        problems += [f"story_needs.yml: {section}: unknown key '{key}'"
                     for key in story_needs.get(section) or {} if key not in keys]
    for section, keys in STORY_RULE_KEYS.items():
        for name, rule in (story_needs.get(section) or {}).items():
            problems += [f"story_needs.yml: {section}: {name}: unknown key '{key}'" for key in rule or {} if key not in keys]
            problems += [f"story_needs.yml: {section}: {name}: lacking: unknown key '{key}'"
                         for key in (rule or {}).get("lacking") or {} if key not in LACKING_KEYS]
    return problems


def _country_ids(kb: KnowledgeBase) -> List[str]:
    import yaml

    path = kb.root / "countries.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return [str(c.get("id")) for c in (doc or {}).get("countries") or ()]


def check_flows(kb: KnowledgeBase, sources_dir: Path = SOURCES_DIR, notices: Optional[List[str]] = None) -> List[str]:
    """countries.yml, programmes/ and directory/: ids known, sources verbatim, no unverified contact."""
    import yaml

    problems: List[str] = []
    root = kb.root
    countries_doc = yaml.safe_load((root / "countries.yml").read_text(encoding="utf-8")) if (root / "countries.yml").exists() else {}
    country_ids = [str(c.get("id")) for c in (countries_doc or {}).get("countries") or ()]
    if not country_ids:
        return ["countries.yml: missing or empty"]
    if len(set(country_ids)) != len(country_ids):
        problems.append("countries.yml: duplicate country id")
    for entry in countries_doc["countries"]:
        for code in kb.languages:
            if not (entry.get("names") or {}).get(code):
                problems.append(f"countries.yml: '{entry.get('id')}' has no name in '{code}'")

    def check_sources(where: str, sources) -> None:
        for source in sources or ():
            if source.get("file") or source.get("source"):
                problems.extend(check_citations(kb, where, [source], sources_dir, notices if notices is not None else []))
                if not source.get("section"):
                    problems.append(f"{where}: a source names no section")
            elif not source.get("url"):
                problems.append(f"{where}: a source names neither a file nor a url")

    programmes_dir = root / "programmes"
    files = sorted(programmes_dir.glob("*.yml")) if programmes_dir.exists() else []
    if not any(f.stem == "default" for f in files):
        problems.append("programmes/default.yml: missing")
    ui_keys = set(kb.ui.get(kb.default_language, {}))
    for path in files:
        where = f"programmes/{path.name}"
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not doc.get("sources"):
            problems.append(f"{where}: no source")
        check_sources(where, doc.get("sources"))
        if not isinstance(doc.get("verified"), bool):
            problems.append(f"{where}: 'verified' must be true or false")
        if doc.get("result_key") not in ui_keys:
            problems.append(f"{where}: result_key '{doc.get('result_key')}' is not a ui string")
        for country in doc.get("host_countries") or ():
            if country not in country_ids:
                problems.append(f"{where}: unknown host country '{country}'")

    embassies = root / "directory" / "embassies.yml"
    if embassies.exists():
        doc = yaml.safe_load(embassies.read_text(encoding="utf-8")) or {}
        for number, entry in enumerate(doc.get("entries") or (), start=1):
            where = f"directory/embassies.yml entry {number} ({entry.get('country')})"
            if entry.get("country") not in country_ids:
                problems.append(f"{where}: unknown country")
            if entry.get("host_country") and entry.get("host_country") not in country_ids:
                problems.append(f"{where}: unknown host_country")
            contact = any(str(entry.get(f) or "").strip() for f in CONTACT_FIELDS if f != "name")
            if entry.get("verified") is True:
                if not entry.get("source") or not entry.get("checked_by") or not entry.get("last_checked"):
                    problems.append(f"{where}: verified without source, checked_by and last_checked")
                if not entry.get("host_country") or not contact:
                    problems.append(f"{where}: verified without host_country and a contact")
                check_sources(where, [entry["source"]] if entry.get("source") else [])
            elif contact:
                problems.append(f"{where}: has a contact but is not verified (no unverified contacts)")
    return problems


def _check_rendered_replies(kb: KnowledgeBase) -> List[str]:
    """The first reply, exactly as a user gets it, fits the limit in every language."""
    problems = []
    for topic, article in kb.articles.items():
        for code, text in article.texts.items():
            body = "\n\n".join(p for p in (text.answer, unreviewed_note(kb, code, text.reviewed)) if p)
            reply = render_menu(body, topic_options(kb, article.follow_ups, code))
            if len(reply) > MAX_FIRST_REPLY_CHARS:
                problems.append(f"topics/{topic}/{code}.yml: first reply has {len(reply)} characters (max {MAX_FIRST_REPLY_CHARS})")
    return problems


def main(root: Path = KNOWLEDGE_DIR) -> int:
    kb = KnowledgeBase(root)
    notices: List[str] = []
    problems = check(kb, notices=notices)
    if root == KNOWLEDGE_DIR:  # the rules and domain.yml belong to this repository's own content
        from content.rules import problems as rules_problems

        problems += rules_problems()
    for problem in problems:
        print(f"knowledge: {problem}", file=sys.stderr)
    articles = sum(len(a.texts) for a in kb.articles.values())
    entries = sum(len(e.texts) for e in kb.entries.values())
    unverifiable = f", {len(notices)} quote(s) not verifiable here (no local copy)" if notices else ""
    print(f"knowledge check: {len(kb.articles)} topics, {articles} articles, {len(kb.entries)} entries "
          f"({entries} texts), {len(kb.sources)} sources, {len(kb.country_guidance)} country guides, "
          f"{len(kb.languages)} languages, {len(problems)} problem(s){unverifiable}")
    return 1 if problems else 0
