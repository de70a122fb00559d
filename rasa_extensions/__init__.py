"""Everything Rasa loads by name from config.yml and endpoints*.yml: the NLU components (`nlu/`),
the dialogue policy (`policies/`), the tracker and lock stores (`stores/`), the safety net
(`retrieval_component`), and the action-response check bot.rasa_server installs
(`action_validation`).

Rasa imports this package also when it is started as plain `rasa run` / `rasa test` (the image's
default command, `make test`), where nothing of `bot` runs: the process gets the same
environment defaults and log redaction here as one started through `bot` (bot/__init__.py).
"""
from core.process import environment_defaults

environment_defaults()

from privacy.log_filter import install_log_redaction as _install_log_redaction  # noqa: E402
from privacy.log_filter import install_structlog_redaction as _install_structlog_redaction  # noqa: E402

_install_log_redaction()
_install_structlog_redaction()
