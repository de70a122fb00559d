"""Rasa graph component: a message without a single letter or digit ("😭", "??", "...") is `noise`.

No classifier should guess a topic from an emoji (a crying face once got the detention
article). Deterministic: runs after the intent classifier and overrides it. The action
(actions/conversation.py, action_noise) answers with one short line and the menu, and offers a
person first when the emoji says distress.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

NOISE_INTENT = "noise"


def is_noise(text: str) -> bool:
    return not any(char.isalnum() for char in text or "")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class NoiseClassifier(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def create(cls, config, model_storage, resource, execution_context: ExecutionContext) -> "NoiseClassifier":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if is_noise(message.get(TEXT) or ""):
                intent = {INTENT_NAME_KEY: NOISE_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
        return messages
