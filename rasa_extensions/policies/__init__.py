"""Dialogue policies that config.yml names (Rasa graph components)."""
