"""Offline language identification for short, informal messages."""
from bot.language.identifier import Detection, LanguageIdentifier, script_of

__all__ = ["Detection", "LanguageIdentifier", "script_of"]
