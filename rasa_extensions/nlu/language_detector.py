"""Rasa graph component: which language is each message in?

Adds a `language` entity when it is confident (a one-word greeting like "bjr" or "slm" by the
list in knowledge/language_hints.yml), and nothing when the message is too short to tell ("1").
The entity's confidence and the message's length let actions/message_context.py keep the
conversation's language against short ambiguous messages. A message
confidently in a language the assistant does not speak gets the intent `unsupported_language`,
whatever the classifier guessed, so the assistant can answer with the list of its languages.
Trained at `rasa train` from the language folders of data/nlu/ and the knowledge texts.
"""
from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from language.hints import hinted_language
from retrieval.countries import without_places
from language.identifier import UNSUPPORTED, Detection, LanguageIdentifier
from rasa_extensions.nlu.examples import language_samples
from core.paths import KNOWLEDGE_DIR, ROOT

logger = logging.getLogger(__name__)


def _resolve(path: str) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else ROOT / candidate

UNSUPPORTED_INTENT = "unsupported_language"
# intents that say nothing about the language they were written in: never overridden
_NEUTRAL_INTENTS = {"select_option"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LanguageDetector(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "nlu_data_dir": "data/nlu",
            "threshold": 0.7,
            "min_letters": 4,
            "entity": "language",
        }

    def __init__(self, config, model_storage, resource, identifier: Optional[LanguageIdentifier] = None) -> None:
        self.config = config
        self._model_storage = model_storage
        self._resource = resource
        self.identifier = identifier

    @classmethod
    def create(cls, config, model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext):
        return cls(config, model_storage, resource)

    def _data_dir(self) -> Path:
        return _resolve(self.config["nlu_data_dir"])

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Retrain when the language folders or the knowledge texts change (read outside the graph)."""
        digest = hashlib.sha256()
        # Rasa may pass only the configured keys here, without the defaults
        data_dir = config.get("nlu_data_dir") or cls.get_default_config()["nlu_data_dir"]
        for folder in (_resolve(data_dir), KNOWLEDGE_DIR):
            for path in sorted(folder.rglob("*.yml")):
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
        return digest.hexdigest()

    def train(self, training_data: TrainingData) -> Resource:
        samples = language_samples(self._data_dir())
        self.identifier = LanguageIdentifier.train(
            samples, threshold=float(self.config["threshold"]), min_letters=int(self.config["min_letters"])
        )
        with self._model_storage.write_to(self._resource) as directory:
            (directory / "language_identifier.json").write_text(json.dumps(self.identifier.to_dict()), encoding="utf-8")
        logger.info("Language identifier trained on %d samples", len(samples))
        return self._resource

    @classmethod
    def load(cls, config, model_storage, resource, execution_context, **kwargs: Any) -> "LanguageDetector":
        identifier = None
        try:
            with model_storage.read_from(resource) as directory:
                data = json.loads((directory / "language_identifier.json").read_text(encoding="utf-8"))
                identifier = LanguageIdentifier.from_dict(data)
        except (ValueError, FileNotFoundError):
            logger.warning("No trained language identifier in the model: language will not be detected")
        return cls(config, model_storage, resource, identifier)

    def process(self, messages: List[Message]) -> List[Message]:
        if self.identifier is None:
            return messages
        for message in messages:
            text = message.get(TEXT) or ""
            hinted = hinted_language(text)  # "bjr", "slm", "ሰላም": too short for the model
            detection = Detection(hinted, 1.0, "hint") if hinted else self.identifier.detect(
                text, voting_words=without_places)
            if detection.language is None:
                continue
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if detection.language == UNSUPPORTED:
                if intent not in _NEUTRAL_INTENTS:
                    message.set(
                        INTENT,
                        {INTENT_NAME_KEY: UNSUPPORTED_INTENT, PREDICTED_CONFIDENCE_KEY: detection.confidence},
                        add_to_output=True,
                    )
                continue
            entity = {
                "entity": self.config["entity"],
                "value": detection.language,
                "start": 0,
                "end": len(text),
                "confidence_entity": round(detection.confidence, 4),
                "extractor": "LanguageHints" if detection.script == "hint" else self.__class__.__name__,
            }
            message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
