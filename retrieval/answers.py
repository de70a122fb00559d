"""Which answer fits a question best: a topic's general article or one of its specific entries.

Candidates are every answer (knowledge/topics and knowledge/entries). Each is scored by its best
question phrasing (any language) twice - dense multilingual embeddings (meaning across languages
and wording) and character 2-4-gram TF-IDF (spelling, dialect, Arabizi; it beats the embeddings
for ha/so/ti/am) - the two normalised over the candidates and averaged, then the intent
classifier's probability for the answer's topic is added as a prior. The intent says *what
about*, the phrasings say *which exact question*.

The dense half reuses the retrieval index machinery (cached on disk, built at training time);
only the query is embedded at run time.
"""
from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from language.arabizi import looks_like_arabizi, to_arabic_script
from language.text import QUESTION_MARKS
from retrieval import answer_classifier
from retrieval.countries import without_places
from retrieval.safety import normalise
from retrieval.index import INDEX_DIR, RetrievalIndex, build_index

# Chosen with bench/answer_tuning.py (leave-one-out on the knowledge base's own phrasings, their
# translations left out too), where 0.7-0.9 beat 0.5 by 2-3 points; 0.6 keeps more TF-IDF, which
# the dialect Arabic of real questions needs (held-out: 0.8 lost 10 points of Arabic top-3).
DENSE_WEIGHT = 0.6
PRIOR_WEIGHT = 0.5
# a follow-up ("how can he get out?") is ranked alone and after the person's previous question
# ("my brother is held in Zuwara"), this share for the second. Tuned on both tuning sets
# (bench/conversations_dev, _dev2), follow-ups right: 0 -> 70.2 / 65.2 %, 0.25 -> 71.7 / 67.3 %,
# 0.4 -> 72.5 / 68.0 % (won in 25 situations, lost in 12), 0.6 -> 69.7 / 63.4 %
CONTEXT_TEXT_WEIGHT = 0.4
# character 2-4-grams within words: spelling, dialect and Arabizi variants of one word still share
# most of them (also how the console's insights page groups unanswered questions, insights/)
CHAR_NGRAMS = dict(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
# the share of the answer classifier's probabilities (retrieval.answer_classifier) in a text's score,
# the rest the best-phrasing similarity above. Tuned on both tuning sets (bench/conversations_dev,
# _dev2), questions / follow-ups right: 0 -> 75.3 / 73.3 % and 71.9 / 70.3 %; 0.5 -> 79.2 / 73.5 %
# and 75.4 / 74.5 % (conversations entirely right 109 -> 114 and 99 -> 110 of 270)
CLASSIFIER_WEIGHT = 0.5
# Arabizi ("kam s3r el tazkara") is also read written back in Arabic letters (language/arabizi.py),
# where the knowledge base has many more phrasings, and each answer keeps the better of its two
# scores. Tuning: Arabizi messages of tests/nlu_test with the right topic first 6 -> 8 of 14, the
# tuning conversations' Arabic 1 turn won, none lost (their mean instead of the better: 1 lost)
ARABIZI_SCRIPT = True
# A story before the question ("I came back from Libya 3 months ago, no work, my family ... is there
# help for returnees?"): the whole message is scored, and its question alone (story_question), this
# share for the second, as a follow-up is read after its context. Only for a message of at least
# STORY_MIN_WORDS words in two sentences or more. Tuning sets (dev ... dev7 but dev4): weight 0.3 won
# 11 turns and lost 3, 0.4 won 16 and lost 4, 0.55 won 17 and lost 22; 10 words instead of 14 lost 3 more.
STORY_QUESTION_WEIGHT = 0.4
STORY_MIN_WORDS = 14
_SENTENCE_END = re.compile(r"(?<=[?؟፧!])|[።\n]+|(?<=\D)[.](?!\d)|[.]{2,}")


@dataclass(frozen=True)
class Scored:
    answer: str        # answer id (topic or entry)
    score: float       # fused
    dense: float
    sparse: float


class AnswerRanker:
    def __init__(self, kb, index: RetrievalIndex, classifier_cache: Optional[Path] = None) -> None:
        """`classifier_cache`: the folder the answer classifier's weights are kept in (None: fitted
        in memory, for a small or changing index)."""
        self.kb = kb
        self.index = index
        self.candidates: List[str] = sorted({e.topic for e in index.entries})
        self._rows = np.array([self.candidates.index(e.topic) for e in index.entries])
        texts = [self._letters(e.text) for e in index.entries]
        self.vectorizer = TfidfVectorizer(**CHAR_NGRAMS).fit(texts)
        self.matrix = self.vectorizer.transform(texts)
        # one message may be ranked twice (the fallback's search, then again in the context of the
        # conversation's topic): embedding it is the costly part, so it is done once
        self._query_vector = functools.lru_cache(maxsize=64)(self._embed_query)
        self.classifier = answer_classifier.load_or_fit(
            answer_classifier.features(self.matrix, index.vectors), self._rows, len(self.candidates),
            answer_classifier.fingerprint(texts, index.vectors, self._rows, CHAR_NGRAMS), classifier_cache)

    def _best_per_candidate(self, scores: np.ndarray) -> np.ndarray:
        best = np.full(len(self.candidates), -1.0, dtype=np.float32)
        np.maximum.at(best, self._rows, scores.astype(np.float32))
        return best

    @staticmethod
    def _letters(text: str) -> str:
        """What the character n-grams read of a text: the text without its place names
        (retrieval.countries.without_places; tuning sets, questions right 79.2 -> 81.3 % and 75.4 ->
        77.0 %), through the one normaliser of messages (retrieval.safety.normalise: case, accents,
        Arabic letter variants, punctuation: "التذكره" meets "التذكرة"; questions / follow-ups right
        82.7 / 74.8 -> 82.3 / 75.6 % and 78.9 / 75.9 -> 79.6 / 75.6 %, 15 turns won, 11 lost)."""
        return normalise(without_places(text))

    def sparse_scores(self, text: str) -> np.ndarray:
        return self._sparse_from(self.vectorizer.transform([self._letters(text)]))

    def _sparse_from(self, query) -> np.ndarray:
        """Best-phrasing TF-IDF similarity of every candidate to an already vectorised query."""
        return self._best_per_candidate(np.asarray((self.matrix @ query.T).todense()).ravel())

    def dense_scores(self, text: str) -> np.ndarray:
        return self._best_per_candidate(self.index.vectors @ self._query_vector(text))

    def _embed_query(self, text: str) -> np.ndarray:
        query = self.index.embedder.embed([text], remember=False)[0]  # a person's message: not cached
        return query / max(float(np.linalg.norm(query)), 1e-9)

    def rank(self, text: str, intent_ranking: Optional[Dict[str, float]] = None, k: int = 5,
             within: Optional[Sequence[str]] = None, dense: bool = True,
             context: Optional[str] = None, story: bool = True) -> List[Scored]:
        """The best `k` answers for `text`; `within`: only these answer ids; `dense=False`: the
        TF-IDF baseline alone (no embeddings, no prior). `context`: what the person said before
        (a follow-up is read with it, "how can he get out?" with "my brother is held in Zuwara"):
        the message alone and the message after its context are both scored, CONTEXT_TEXT_WEIGHT
        of the second counts. `story`: without a context, a story is also scored by the question it
        ends in (story_question, STORY_QUESTION_WEIGHT of it; one more embedding for a long message)."""
        if not dense:
            sparse = fused = self.sparse_scores(text)
            dense_scores = np.zeros_like(sparse)
        else:
            sparse, dense_scores, fused = self._text_scores(text)
        if context and dense:
            fused = (1 - CONTEXT_TEXT_WEIGHT) * fused + CONTEXT_TEXT_WEIGHT * self._text_scores(f"{context}\n{text}")[2]
        elif story and dense and STORY_QUESTION_WEIGHT:
            question = story_question(text)
            if question:
                fused = (1 - STORY_QUESTION_WEIGHT) * fused + STORY_QUESTION_WEIGHT * self._text_scores(question)[2]
        if intent_ranking and dense:
            fused = fused + PRIOR_WEIGHT * np.array(
                [intent_ranking.get(self.kb.answers[c].parent, 0.0) for c in self.candidates], dtype=np.float32)
        allowed = set(within) if within is not None else None
        order = [i for i in np.argsort(-fused) if allowed is None or self.candidates[i] in allowed]
        return [Scored(self.candidates[i], float(fused[i]), float(dense_scores[i]), float(sparse[i])) for i in order[:k]]

    @staticmethod
    def _similarity(sparse: np.ndarray, dense: np.ndarray) -> np.ndarray:
        return DENSE_WEIGHT * minmax(dense) + (1 - DENSE_WEIGHT) * minmax(sparse)

    def _text_scores(self, text: str) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(TF-IDF, dense, blended) scores of every candidate for `text`: how well each answers it
        by its wording, the best phrasing's similarity blended with the classifier's probability.
        The text is vectorised and embedded once for all three."""
        sparse, dense, blended = self._scores_as_written(text)
        if ARABIZI_SCRIPT and looks_like_arabizi(text):
            arabic = self._scores_as_written(to_arabic_script(text))
            sparse, dense, blended = (np.maximum(a, b) for a, b in zip((sparse, dense, blended), arabic))
        return sparse, dense, blended

    def _scores_as_written(self, text: str) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`_text_scores` of the text exactly as given."""
        query = self.vectorizer.transform([self._letters(text)])
        sparse, dense = self._sparse_from(query), self.dense_scores(text)
        probabilities = self.classifier.probabilities(answer_classifier.features(query, self._query_vector(text)))
        blended = (1 - CLASSIFIER_WEIGHT) * self._similarity(sparse, dense) + CLASSIFIER_WEIGHT * minmax(probabilities)
        return sparse, dense, blended


def story_question(text: str) -> Optional[str]:
    """The question a story ends in: its last sentence with a question mark, else its last sentence;
    None for a message shorter than STORY_MIN_WORDS or of one sentence."""
    if len(text.split()) < STORY_MIN_WORDS:
        return None
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s and len(s.split()) >= 2]
    if len(sentences) < 2:
        return None
    asked = [s for s in sentences if QUESTION_MARKS & set(s)]
    return (asked or sentences)[-1]


def minmax(values: np.ndarray) -> np.ndarray:
    low, high = float(values.min()), float(values.max())
    return (values - low) / (high - low) if high > low else np.zeros_like(values)


_ranker: Optional[AnswerRanker] = None
_lock = threading.Lock()


def get_ranker(progress: bool = False) -> AnswerRanker:
    """The process-wide ranker (its dense index from the disk cache, built only if missing)."""
    from content.knowledge import load_knowledge

    global _ranker
    with _lock:
        if _ranker is None:
            kb = load_knowledge()
            _ranker = AnswerRanker(kb, build_index(kb, progress=progress, answers=True), classifier_cache=INDEX_DIR)
        return _ranker
