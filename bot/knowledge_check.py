"""`python -m bot knowledge check`: refuse content that is incomplete, unsourced or unsafe.

Fails on: a missing language, a missing or non-existent source, a broken follow-up, a reply
over the limits, a ui string missing or with changed placeholders, and any phone number, URL,
e-mail or street address in text a user sees (contacts may only come from a verified directory).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import List

from bot.knowledge import KnowledgeBase
from bot.paths import KNOWLEDGE_DIR, SOURCES_DIR

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


def check(kb: KnowledgeBase, sources_dir: Path = SOURCES_DIR) -> List[str]:
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
        for source in article.sources:
            if source.get("file") and not (sources_dir / source["file"]).exists():
                problems.append(f"{where}/article.yml: source file '{source['file']}' does not exist")
            if not source.get("file") and not source.get("url"):
                problems.append(f"{where}/article.yml: a source names neither a file nor a url")
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
    if not problems:
        problems += _check_rendered_replies(kb)
    return problems


def _check_rendered_replies(kb: KnowledgeBase) -> List[str]:
    """The first reply, exactly as a user gets it, fits the limit in every language."""
    from actions.replies import render_menu, topic_options, unreviewed_note

    problems = []
    for topic, article in kb.articles.items():
        for code, text in article.texts.items():
            body = "\n\n".join(p for p in (text.answer, unreviewed_note(code, text.reviewed)) if p)
            reply = render_menu(body, topic_options(article.follow_ups, code))
            if len(reply) > MAX_FIRST_REPLY_CHARS:
                problems.append(f"topics/{topic}/{code}.yml: first reply has {len(reply)} characters (max {MAX_FIRST_REPLY_CHARS})")
    return problems


def main(root: Path = KNOWLEDGE_DIR) -> int:
    kb = KnowledgeBase(root)
    problems = check(kb)
    for problem in problems:
        print(f"knowledge: {problem}", file=sys.stderr)
    articles = sum(len(a.texts) for a in kb.articles.values())
    print(f"knowledge check: {len(kb.articles)} topics, {articles} articles, {len(kb.languages)} languages, "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0
