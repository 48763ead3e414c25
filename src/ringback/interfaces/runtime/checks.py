"""Check every configured feature before anything starts.

``load_settings`` checks the core sections; the domain sections (``[payments]``,
``[statements]``) and the periodic tables are checked by their own parsers. Running
those here lets ``ringback config check`` and ``ringback serve`` refuse a bad key
file or cron line with one clear error, instead of children that exit at start and
are restarted with back-off.
"""

from __future__ import annotations

from ringback.core.config import Settings
from ringback.core.periodic.from_settings import schedules_from_settings
from ringback.interfaces.runtime.payments import payments_config
from ringback.interfaces.runtime.statements import statements_config


def check_features(settings: Settings) -> list[str]:
    """Raise ConfigError naming the first problem; return the features configured."""
    configured = []
    if payments_config(settings) is not None:
        configured.append("payments")
    if statements_config(settings) is not None:
        configured.append("statements")
    if schedules_from_settings(settings.periodic):
        configured.append("periodic")
    return configured
