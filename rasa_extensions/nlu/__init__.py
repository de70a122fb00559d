"""Rasa graph components named in config.yml, and helpers to read NLU data."""
