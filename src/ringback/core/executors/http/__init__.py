"""HTTP callbacks: signed, guarded, bounded deliveries to a receiver's URL."""

from ringback.core.executors.http.executor import HttpExecutor
from ringback.core.executors.http.guard import Resolver, SystemResolver
from ringback.core.executors.http.options import HttpOptions

__all__ = ["HttpExecutor", "HttpOptions", "Resolver", "SystemResolver"]
