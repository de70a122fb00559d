"""Sources and specific entries: what `python -m bot knowledge check` verifies about them, and the
content team's `python -m bot knowledge report`.

Every source an answer cites is listed in knowledge/sources.yml (or one file per web source in
knowledge/sources.d/). A quote is verified verbatim against the source's local copy under
SOURCES_DIR when that copy is here; where it is not (a bare clone, a web page), the quote is
reported as "not verifiable here" - a notice, never a failure. CI has the local copies and
verifies them all.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

from content.knowledge import Article, KnowledgeBase

VERIFIED, NOT_VERBATIM, NOT_HERE, UNKNOWN, MISSING_FILE = "verified", "not verbatim", "not verifiable here", \
    "unknown source", "missing file"
MAX_ENTRY_ANSWER_CHARS = 420
MAX_ENTRY_TITLE_CHARS = 60
NOTE_MAX_CHARS = 260


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def local_copy(kb: KnowledgeBase, source: dict, sources_dir: Path) -> Tuple[Optional[dict], Optional[Path]]:
    """(registry entry, local file) of a cited source: `source: <id>` or a legacy `file:`."""
    if source.get("source"):
        listed = kb.sources.get(str(source["source"]))
        if listed is None:
            return None, None
        return listed, (sources_dir / listed["file"]) if listed.get("file") else None
    if source.get("file"):
        listed = next((s for s in kb.sources.values() if s.get("file") == source["file"]), None)
        return listed, sources_dir / str(source["file"])
    return None, None


def verify_quote(kb: KnowledgeBase, source: dict, sources_dir: Path) -> str:
    listed, path = local_copy(kb, source, sources_dir)
    if listed is None:
        return UNKNOWN
    if path is None:
        return NOT_HERE  # a web page: the checker never fetches anything
    if not path.exists():
        return NOT_HERE if not sources_dir.exists() else MISSING_FILE
    text = _squash(path.read_text(encoding="utf-8"))
    return VERIFIED if source.get("quote") and _squash(str(source["quote"])) in text else NOT_VERBATIM


def check_sources_registry(kb: KnowledgeBase) -> List[str]:
    problems = []
    for source_id, source in kb.sources.items():
        for field in ("title", "publisher"):
            if not str(source.get(field) or "").strip():
                problems.append(f"sources: '{source_id}' has no {field}")
        if not source.get("url") and not source.get("file"):
            problems.append(f"sources: '{source_id}' has neither a URL nor a local copy")
    return problems


def check_citations(kb: KnowledgeBase, where: str, sources: Iterable[dict], sources_dir: Path,
                    notices: List[str]) -> List[str]:
    """Problems with the citations of one answer; quotes that cannot be checked here go to `notices`."""
    problems = []
    for source in sources:
        status = verify_quote(kb, source, sources_dir)
        if status == UNKNOWN:
            problems.append(f"{where}: cites '{source.get('source') or source.get('file')}', which is not in sources.yml")
        elif status == MISSING_FILE:
            problems.append(f"{where}: local copy '{local_copy(kb, source, sources_dir)[1]}' does not exist")
        elif status == NOT_VERBATIM:
            problems.append(f"{where}: quote is not verbatim in its source")
        elif status == NOT_HERE:
            notices.append(f"{where}: quote not verifiable here")
        if not str(source.get("quote") or "").strip():
            problems.append(f"{where}: a source has no quote")
    return problems


def check_entries(kb: KnowledgeBase, sources_dir: Path, notices: List[str]) -> List[str]:
    """Every entry: a known topic, every language, sources, limits, no contact in its text."""
    from content.check import contact_problems

    problems = check_sources_registry(kb)
    for entry_id, entry in kb.entries.items():
        where = f"entries/{entry_id}"
        if entry.id != entry_id:
            problems.append(f"{where}/entry.yml: id '{entry.id}' differs from the folder")
        if entry.topic not in kb.articles:
            problems.append(f"{where}/entry.yml: topic '{entry.topic}' is not a topic")
        if not entry.sources:
            problems.append(f"{where}/entry.yml: no source")
        if entry.before_return and entry.before_return not in kb.answers:
            problems.append(f"{where}/entry.yml: before_return '{entry.before_return}' is not an answer")
        problems += check_citations(kb, f"{where}/entry.yml", entry.sources, sources_dir, notices)
        for code in kb.languages:
            text = entry.texts.get(code)
            if text is None:
                problems.append(f"{where}/{code}.yml: missing")
                continue
            if not text.answer or len(text.answer) > MAX_ENTRY_ANSWER_CHARS:
                problems.append(f"{where}/{code}.yml: answer must have 1 to {MAX_ENTRY_ANSWER_CHARS} characters")
            if not text.title or len(text.title) > MAX_ENTRY_TITLE_CHARS:
                problems.append(f"{where}/{code}.yml: title must have 1 to {MAX_ENTRY_TITLE_CHARS} characters")
            if not text.questions:
                problems.append(f"{where}/{code}.yml: no question phrasings")
            problems += [f"{where}/{code}.yml: answer contains a {p}" for p in contact_problems(text.answer)]
    return problems


def check_country_guidance(kb: KnowledgeBase, country_ids: Iterable[str], sources_dir: Path,
                           notices: List[str]) -> List[str]:
    from content.check import contact_problems

    problems, known = [], set(country_ids)
    for country, doc in kb.country_guidance.items():
        where = f"country_guidance/{country}.yml"
        if country not in known or doc.get("country") != country:
            problems.append(f"{where}: '{country}' is not a country id of countries.yml (or differs from `country`)")
        notes = doc.get("notes") or []
        if notes and not doc.get("sources"):
            problems.append(f"{where}: notes without a source")
        problems += check_citations(kb, where, doc.get("sources") or (), sources_dir, notices)
        for note in notes:
            if note.get("entry") not in kb.answers:
                problems.append(f"{where}: note for '{note.get('entry')}', which is not an entry or topic")
            texts = note.get("text") or {}
            for code in kb.languages:
                text = str(texts.get(code) or "")
                if not text or len(text) > NOTE_MAX_CHARS:
                    problems.append(f"{where}: note for '{note.get('entry')}' needs 1 to {NOTE_MAX_CHARS} characters in '{code}'")
                problems += [f"{where}: note in '{code}' contains a {p}" for p in contact_problems(text)]
    return problems


# -- the content team's report ----------------------------------------------------------------
REVIEWED, DRAFT, MISSING = "reviewed", "draft", "missing"


@dataclass(frozen=True)
class ReviewRow:
    """One answer's review status: what `report` prints and the console's content page shows."""

    answer_id: str
    kind: str                      # "topic" or "entry of <topic>"
    title: str                     # in the default language
    states: Dict[str, str]         # language -> reviewed | draft | missing
    files: Dict[str, str]          # language -> the file to change, relative to the repository
    meta_file: str                 # article.yml / entry.yml: sources, last review, reviewer
    last_reviewed: str
    reviewer: str
    age_days: Optional[int]        # None: no valid review date
    stale: bool                    # older than the limit, or no date


def review_status(kb: KnowledgeBase, max_age_days: int = 180, today: Optional[dt.date] = None) -> List[ReviewRow]:
    """Per answer, in the order the report lists them: each language's review state and the file."""
    today = today or dt.date.today()
    rows = []
    for answer_id, answer in sorted(kb.answers.items(), key=lambda item: (item[1].parent, item[1].is_entry, item[0])):
        folder = f"{kb.root.name}/{'entries' if answer.is_entry else 'topics'}/{answer_id}"
        states = {code: (REVIEWED if answer.texts[code].reviewed else DRAFT) if code in answer.texts else MISSING
                  for code in kb.languages}
        age = _age(answer, today)
        rows.append(ReviewRow(
            answer_id=answer_id, kind=f"entry of {answer.topic}" if answer.is_entry else "topic",
            title=kb.topic_title(answer_id, kb.default_language), states=states,
            files={code: f"{folder}/{code}.yml" for code in kb.languages},
            meta_file=f"{folder}/{'entry' if answer.is_entry else 'article'}.yml",
            last_reviewed=answer.last_reviewed, reviewer=answer.reviewer, age_days=age,
            stale=age is None or age > max_age_days))
    return rows


def report(kb: KnowledgeBase, max_age_days: int = 180, today: Optional[dt.date] = None) -> str:
    """Per language and answer: is the translation reviewed; which answers were last reviewed too long ago."""
    languages = list(kb.languages)
    lines = ["# Knowledge review status", "",
             f"Translation reviewed (✓) or draft (·), per answer and language; answers whose last review is "
             f"older than {max_age_days} days or missing are listed below.", "",
             "| answer | kind | " + " | ".join(languages) + " | last reviewed | reviewer |",
             "|---|---|" + "---|" * len(languages) + "---|---|"]
    rows = review_status(kb, max_age_days, today)
    marks = {REVIEWED: "✓", DRAFT: "·", MISSING: "missing"}
    for row in rows:
        cells = [marks[row.states[code]] for code in languages]
        lines.append(f"| {row.answer_id} | {row.kind} | " + " | ".join(cells)
                     + f" | {row.last_reviewed or '—'} | {row.reviewer or '—'} |")
    stale = [row.answer_id for row in rows if row.stale]
    lines += ["", "Reviewed translations per language: " + ", ".join(
        f"{code} {sum(row.states[code] == REVIEWED for row in rows)}/{len(rows)}" for code in languages), "",
        f"Not reviewed within {max_age_days} days ({len(stale)}): " + (", ".join(stale) or "none")]
    return "\n".join(lines) + "\n"


def _age(answer: Article, today: dt.date) -> Optional[int]:
    try:
        return (today - dt.date.fromisoformat(str(answer.last_reviewed)[:10])).days
    except ValueError:
        return None
