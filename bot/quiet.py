"""Quiet start-up for our command lines: no third-party deprecation warnings a cron job would mail.

Rasa 3.6's dependencies print about a dozen deprecation warnings on import (pkg_resources,
sanic-cors' distutils versions, pyparsing's camelCase names in matplotlib and packaging,
TensorFlow's sre_constants, SQLAlchemy's URL(), Rasa's nested argument groups...). None of them
is ours to fix and none changes behaviour. `quiet_warnings()` is called by the entry points only
(`python -m bot`, `python -m bot.rasa_server`, the action server), never on import, so tests see
every warning; our own packages' warnings are never silenced.

Sanic puts `"once"` for every DeprecationWarning first in the filter list when it is imported,
which would override filters set earlier; it is imported here first, inside catch_warnings(),
so that its filter is dropped again.
"""
from __future__ import annotations

import warnings

# modules whose warnings are shown: ours (a deprecation in our code is something to fix)
OURS = r"(bot|actions|channels|console|bench|tools|tests)(\.|$)"
THIRD_PARTY = rf"(?!{OURS})"

# warnings from third parties that are not DeprecationWarnings, by the start of their message
KNOWN_MESSAGES = (
    (r"pkg_resources is deprecated as an API", UserWarning),
)


def quiet_warnings() -> None:
    """Ignore third parties' deprecation warnings (and the few known others) in this process."""
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=THIRD_PARTY)
    warnings.filterwarnings("ignore", category=PendingDeprecationWarning, module=THIRD_PARTY)
    for message, category in KNOWN_MESSAGES:
        warnings.filterwarnings("ignore", message=message, category=category)
    try:
        with warnings.catch_warnings():  # restores the filters above, dropping sanic's "once"
            import sanic  # noqa: F401
    except ImportError:
        pass
