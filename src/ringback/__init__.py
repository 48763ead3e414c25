"""ringback: calls back until they answer.

A durable, self-hosted service and library for work that must be retried on a
schedule until it succeeds. The package is layered: ``ringback.core`` (store,
policies, dispatcher, job kinds) knows nothing of ``ringback.domain`` (payments,
statements), and neither knows ``ringback.interfaces`` (API, CLI, dashboard).
"""

__version__ = "0.1.0"
