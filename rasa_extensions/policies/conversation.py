"""RulePolicy, plus three things rules cannot say.

1. An emergency keeps the conversation: once `emergency_active` is set (actions/emergency.py),
   every later message gets `action_emergency_followup` (a short "we are alerting the team" in
   the user's language; the message joins the urgent case) until a caseworker resolves the
   case - no menu, no consent question, no introduction in between. Only erasure stays
   reachable ("delete my data" and its confirmation).
2. A consent answer is read only as one: while the consent question waits, a message that is
   only a consent word or the button's own payload ("yes", "non", "consent:yes"), or right after
   the question a short plain yes or no by its intent ("ok na"), runs `action_consent_answer`.
   A number never answers consent (numbers belong to menus), nor does
   a 👍 tapped to rate an answer (actions/feedback.py), and any other message is understood as
   what it says (privacy.consent.consent_reply).
3. The privacy notice ends a conversation's first turn, after the answer, never before it:
   where the rules would end a turn (predict `action_listen` after an action), this policy
   predicts `action_privacy_notice` when the notice is due, and `action_listen` after it.
   Due: consent not answered, the question not yet asked, no guided flow running, no emergency,
   and the turn did not end on a yes/no question of its own. A message in a language the
   assistant does not speak waits for one it does, so that the notice can be read.

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

from privacy.consent import ANSWER_WITHIN_MESSAGES, consent_reply, messages_since_question

NOTICE_ACTION = "action_privacy_notice"
EMERGENCY_FOLLOWUP_ACTION = "action_emergency_followup"
CONSENT_ANSWER_ACTION = "action_consent_answer"
EMERGENCY_SLOT = "emergency_active"
# erasure is always reachable, even while the team handles an emergency
ERASURE_INTENTS = {"delete_data"}
# menus whose numbers are explained by their own text: the notice must not come after them
NUMBERED_QUESTIONS = (["confirm:yes", "confirm:no"], ["handoff", "menu"])
WAITS_FOR = {"unsupported_language"}


def notice_due(tracker: DialogueStateTracker) -> bool:
    if tracker.get_slot("consent") is not None or tracker.get_slot("consent_asked"):
        return False
    if tracker.active_loop_name or tracker.get_slot("erase_requested") or tracker.get_slot(EMERGENCY_SLOT):
        return False
    if (tracker.get_slot("menu_options") or None) in NUMBERED_QUESTIONS:
        return False
    return _latest_intent(tracker) not in WAITS_FOR


def stays_in_emergency(tracker: DialogueStateTracker) -> bool:
    """This message goes to the emergency handling (not to the dialogue's other rules)."""
    if not tracker.get_slot(EMERGENCY_SLOT):
        return False
    if _latest_intent(tracker) in ERASURE_INTENTS:
        return False
    # the answer to "delete your data? 1 yes 2 no" is part of erasure
    return tracker.get_slot("pending_confirmation") != "delete_data"


def answers_consent(tracker: DialogueStateTracker) -> bool:
    """The message answers the consent question: any consent answer right after it; a message
    later only a clear one ("yes", "non"; "ok thanks" then thanks for something else)."""
    since = messages_since_question(tracker)
    if since is None or since > ANSWER_WITHIN_MESSAGES or _latest_intent(tracker) == "emergency":
        return False
    if _rating_tap(tracker):  # a 👍 tapped under an answer rates it; consent is never given by a rating
        return False
    message = tracker.latest_message
    text = message.text if message else None
    return consent_reply(text or "", since, message.intent if message else None) is not None


def _rating_tap(tracker: DialogueStateTracker) -> bool:
    from channels.menu_token import read_rating, tapped_value

    metadata = tracker.latest_message.metadata if tracker.latest_message else None
    return read_rating(tapped_value(metadata) or "") is not None


def _latest_intent(tracker: DialogueStateTracker) -> Optional[str]:
    return (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class ConversationPolicy(RulePolicy):
    def predict_action_probabilities(
        self, tracker: DialogueStateTracker, domain: Domain, rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        latest = tracker.latest_action_name
        if latest == NOTICE_ACTION:
            return self._predict_only(ACTION_LISTEN_NAME, tracker, domain)
        if latest == ACTION_LISTEN_NAME and tracker.latest_message is not None:
            if stays_in_emergency(tracker) and EMERGENCY_FOLLOWUP_ACTION in domain.action_names_or_texts:
                return self._predict_only(EMERGENCY_FOLLOWUP_ACTION, tracker, domain)
            if answers_consent(tracker) and CONSENT_ANSWER_ACTION in domain.action_names_or_texts:
                return self._predict_only(CONSENT_ANSWER_ACTION, tracker, domain)
        if latest in (EMERGENCY_FOLLOWUP_ACTION, CONSENT_ANSWER_ACTION):  # each ends its turn itself
            return self._predict_only(ACTION_LISTEN_NAME, tracker, domain)
        prediction = super().predict_action_probabilities(tracker, domain, rule_only_data, **kwargs)
        if latest in (None, ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME) or not _ends_turn(prediction, domain):
            return prediction
        if NOTICE_ACTION in domain.action_names_or_texts and notice_due(tracker):
            return self._predict_only(NOTICE_ACTION, tracker, domain)
        return prediction

    def _predict_only(self, action: str, tracker: DialogueStateTracker, domain: Domain) -> PolicyPrediction:
        return self._rule_prediction(self._prediction_result(action, tracker, domain), f"conversation policy: {action}")


def _ends_turn(prediction: PolicyPrediction, domain: Domain) -> bool:
    """The rules predicted action_listen with full confidence (a rule's implicit end of turn)."""
    probabilities = prediction.probabilities
    listen = domain.index_for_action(ACTION_LISTEN_NAME)
    return probabilities[listen] >= 1.0 and probabilities[listen] == max(probabilities)
