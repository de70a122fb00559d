"""RulePolicy, plus the privacy notice at the end of a conversation's first turn.

The notice (introduction, privacy notice, consent question: actions/consent.py) never comes
before the answer: a migrant in danger, or with one urgent question, gets the answer first. So
where the rules would end a turn (predict `action_listen` after an action), this policy
predicts `action_privacy_notice` instead when the notice is due, and `action_listen` after it.

Due: consent not answered, question not yet asked (`consent_asked`), no guided flow running,
and the turn did not end on a question whose numbers the consent question would take over
(yes/no confirmations, "talk to a person? 1 yes 2 no"). A message in a language the assistant
does not speak waits for one it does, so that the notice can be read.

Training is RulePolicy's own (its rule checks call `_predict`, not this override).
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

NOTICE_ACTION = "action_privacy_notice"
# menus whose numbers are explained by their own text: the consent question must not take them
NUMBERED_QUESTIONS = (["confirm:yes", "confirm:no"], ["handoff", "menu"])
WAITS_FOR = {"unsupported_language"}


def notice_due(tracker: DialogueStateTracker) -> bool:
    if tracker.get_slot("consent") is not None or tracker.get_slot("consent_asked"):
        return False
    if tracker.active_loop_name or tracker.get_slot("erase_requested"):
        return False
    if (tracker.get_slot("menu_options") or None) in NUMBERED_QUESTIONS:
        return False
    latest_intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
    return latest_intent not in WAITS_FOR


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class ConsentRulePolicy(RulePolicy):
    def predict_action_probabilities(
        self, tracker: DialogueStateTracker, domain: Domain, rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        latest = tracker.latest_action_name
        if latest == NOTICE_ACTION:
            return self._predict_only(ACTION_LISTEN_NAME, tracker, domain)
        prediction = super().predict_action_probabilities(tracker, domain, rule_only_data, **kwargs)
        if latest in (None, ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME) or not _ends_turn(prediction, domain):
            return prediction
        if NOTICE_ACTION in domain.action_names_or_texts and notice_due(tracker):
            return self._predict_only(NOTICE_ACTION, tracker, domain)
        return prediction

    def _predict_only(self, action: str, tracker: DialogueStateTracker, domain: Domain) -> PolicyPrediction:
        return self._rule_prediction(self._prediction_result(action, tracker, domain), f"consent notice: {action}")


def _ends_turn(prediction: PolicyPrediction, domain: Domain) -> bool:
    """The rules predicted action_listen with full confidence (a rule's implicit end of turn)."""
    probabilities = prediction.probabilities
    listen = domain.index_for_action(ACTION_LISTEN_NAME)
    return probabilities[listen] >= 1.0 and probabilities[listen] == max(probabilities)
