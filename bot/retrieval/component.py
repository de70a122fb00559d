"""Rasa NLU component: the safety net, and the retrieval index built at training time.

Placed last in config.yml's pipeline. For every message, if a clear danger phrase
(knowledge/safety_keywords.yml, `immediate_danger`) is present, the intent becomes `emergency`
with confidence 1.0, whatever the classifier said, so the safety answer comes first. Training
builds (or reuses) the retrieval index on disk, with a progress bar, so the first fallback
question at run time only embeds the query.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.retrieval.safety import danger_phrase

logger = logging.getLogger(__name__)

EMERGENCY_INTENT = "emergency"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SafetyNet(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"build_retrieval_index": True}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self.config = config
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SafetyNet":
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "SafetyNet":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        if self.config.get("build_retrieval_index", True):
            try:
                from bot.retrieval.index import build_index

                index = build_index(progress=True)
                logger.info("retrieval index ready: %d entries", len(index.entries))
            except Exception:  # the index is rebuilt lazily at run time if this fails
                logger.exception("could not build the retrieval index at training time")
        with self._model_storage.write_to(self._resource):
            pass
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            phrase = danger_phrase(message.get(TEXT) or "")
            if phrase is None:
                continue
            intent = message.get(INTENT) or {}
            if intent.get("name") == EMERGENCY_INTENT:
                continue
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != EMERGENCY_INTENT]
            message.set(INTENT, {"name": EMERGENCY_INTENT, "confidence": 1.0}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [{"name": EMERGENCY_INTENT, "confidence": 1.0}, *ranking], add_to_output=True)
        return messages
