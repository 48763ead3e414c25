"""Check every configured feature before anything starts.

``load_settings`` checks the core sections; the domain sections (``[payments]``,
``[statements]``) and the periodic tables are checked by their own parsers. Running
those here lets ``ringback config check`` and ``ringback serve`` refuse a bad key
file or cron line with one clear error, instead of children that exit at start and
are restarted with back-off.
"""

from __future__ import annotations

from ringback.core.config import Settings
from ringback.core.errors import ConfigError
from ringback.core.executors.http.addresses import AllowList
from ringback.core.periodic.from_settings import schedules_from_settings
from ringback.interfaces.runtime.components import trust_anchors
from ringback.interfaces.runtime.payments import payments_config
from ringback.interfaces.runtime.statements import statements_config


def check_features(settings: Settings) -> list[str]:
    """Raise ConfigError naming the first problem; return the features configured."""
    _check_http(settings)
    configured = []
    if payments_config(settings) is not None:
        configured.append("payments")
    if statements_config(settings) is not None:
        configured.append("statements")
    if schedules_from_settings(settings.periodic):
        configured.append("periodic")
    return configured


def _check_http(settings: Settings) -> None:
    """The ``[http]`` values only the executor reads: allowed hosts and the CA file."""
    try:
        AllowList.parse(frozenset(settings.http.allowed_hosts))
    except ValueError as exc:
        raise ConfigError(str(exc), field="http.allowed_hosts") from None
    trust_anchors(settings.http.ca_file)
