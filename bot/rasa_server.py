"""`python -m bot.rasa_server ARGS`: Rasa's own command line (`rasa ARGS`), started quietly.

What `make run` (bot/run.py), bench/load and the deployment files start instead of the `rasa`
script: the same command line and the same server, without the third-party deprecation warnings
that Rasa's dependencies print on import (bot/quiet.py), and with each action server response
validated against a JSON schema compiled once instead of on every call (rasa_extensions/action_validation.py).
"""
from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    from bot.quiet import quiet_warnings
    from core.settings import exit_if_misconfigured

    exit_if_misconfigured("rasa server")
    quiet_warnings()
    import rasa.utils.common as rasa_common
    from rasa.__main__ import main as rasa_main

    rasa_filter_warnings = rasa_common._filter_warnings

    def _filter_warnings(*args, **kwargs) -> None:
        rasa_filter_warnings(*args, **kwargs)
        quiet_warnings()  # Rasa puts "once" for every UserWarning first (pyparsing's deprecations are both)

    rasa_common._filter_warnings = _filter_warnings
    from rasa_extensions.action_validation import install

    install()  # Rasa checks every action server response: against a schema compiled once

    sys.argv = ["rasa", *(sys.argv[1:] if argv is None else argv)]
    rasa_main()


if __name__ == "__main__":
    main()
