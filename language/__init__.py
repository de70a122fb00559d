"""Text in many languages, offline: identification for short, informal messages (`identifier`,
`hints`), folding (`text`), and the multilingual sentence embeddings (`embeddings`)."""
from language.identifier import Detection, LanguageIdentifier, script_of

__all__ = ["Detection", "LanguageIdentifier", "script_of"]
