"""Rasa graph component: a message that is only a number picks an option of the last menu.

Cheap phones and low literacy: "2" must always work, in any script people type digits in
(Western, Arabic-Indic, Persian, Ge'ez numerals). Deterministic, so no classifier can get it wrong.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

SELECT_OPTION_INTENT = "select_option"
_GEEZ_NUMERALS = {chr(0x1369 + i): i + 1 for i in range(9)}  # ፩..፱
_NUMBER_ONLY = re.compile(r"^\s*[#(\[]?\s*(\d{1,2}|[\u1369-\u1371])\s*[.)\]]?\s*$")


def parse_option_number(text: str) -> Optional[int]:
    """The number a menu answer names ("2", " 2. ", "٢", "፪"), or None."""
    match = _NUMBER_ONLY.match(text or "")
    if not match:
        return None
    digits = ""
    for char in match.group(1):
        if char in _GEEZ_NUMERALS:
            digits += str(_GEEZ_NUMERALS[char])
        elif unicodedata.category(char) == "Nd":
            digits += str(unicodedata.digit(char))
        else:
            return None
    return int(digits) if digits else None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class MenuNumberClassifier(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"entity": "option"}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = config

    @classmethod
    def create(cls, config, model_storage, resource, execution_context: ExecutionContext) -> "MenuNumberClassifier":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            number = parse_option_number(message.get(TEXT) or "")
            if number is None:
                continue
            intent = {INTENT_NAME_KEY: SELECT_OPTION_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
            entity = {
                "entity": self.config["entity"], "value": str(number), "start": 0,
                "end": len(message.get(TEXT)), "confidence_entity": 1.0, "extractor": self.__class__.__name__,
            }
            message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
        return messages
