"""The composition root of the migrant assistant: process entries, commands, start-up."""
from core.process import environment_defaults

environment_defaults()

# No phone numbers, Telegram ids or message texts in the logs of any process of ours (every one
# imports `bot` or, under a plain `rasa run`, rasa_extensions); DEBUG_PERSONAL_DATA_IN_LOGS=1
# keeps them, for debugging only.
from privacy.log_filter import install_log_redaction as _install_log_redaction  # noqa: E402
from privacy.log_filter import install_structlog_redaction as _install_structlog_redaction  # noqa: E402

_install_log_redaction()
_install_structlog_redaction()
