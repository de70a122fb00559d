"""A tiny local web chat for `make run`: a page and a proxy to Rasa's REST channel."""
