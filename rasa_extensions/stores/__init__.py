"""Rasa's tracker store with erasure, and its Redis lock store with atomic updates; both wait out
a short database or Redis outage (`retry_seconds`; the tracker store's waiting: `resilience`)."""
