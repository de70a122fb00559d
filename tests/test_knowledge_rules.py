"""data/rules/knowledge.yml is what knowledge/ says: a rule per topic and per follow-up intent."""
from __future__ import annotations

import shutil

from content import rules as knowledge_rules
from content.knowledge import load_knowledge
from core.paths import KNOWLEDGE_DIR


def test_the_committed_rules_and_domain_agree_with_the_content():
    assert knowledge_rules.problems() == []


def test_every_topic_and_follow_up_intent_has_exactly_one_rule_to_its_action():
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    steps = []
    for rule in YAMLStoryReader().read_from_file(str(knowledge_rules.RULES_FILE)):  # as Rasa reads it
        _start, said, done = rule.events
        assert isinstance(said, UserUttered) and isinstance(done, ActionExecuted)
        steps.append((said.intent_name, done.action_name))
    topics = load_knowledge().topic_ids
    follow_ups = knowledge_rules.follow_up_intents()
    assert sorted(steps) == sorted([(t, "action_answer_topic") for t in topics]
                                   + [(i, "action_answer_follow_up") for i in follow_ups])


def test_a_new_topic_needs_its_rule_and_its_intent(tmp_path):
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, root)
    topics = root / "topics.yml"
    topics.write_text(topics.read_text(encoding="utf-8") + "  - water_points\n", encoding="utf-8")
    problems = knowledge_rules.problems(root=root)
    assert any("knowledge.yml: not generated" in p for p in problems)
    assert "domain.yml: intent 'water_points' (from knowledge/) is not declared" in problems
    rules = tmp_path / "knowledge.yml"
    assert knowledge_rules.write(rules, root) and not knowledge_rules.write(rules, root)
    assert "- intent: water_points\n  - action: action_answer_topic\n" in rules.read_text(encoding="utf-8")
    assert not any("not generated" in p for p in knowledge_rules.problems(rules, root))
