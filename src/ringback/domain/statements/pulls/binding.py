"""Registering the statement tasks with the worker's task registry.

The default registry is process-wide, but the puller behind the tasks is made when the
runtime is wired (it needs the store, the clock and the configuration). So the registry
holds a small binding object, and wiring again in the same process (an embedded service
in tests) binds it to the new puller instead of registering a second task of that name.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from ringback.core.executors.task import TaskRegistry

from .pull import PULL_TASK, START_TASK
from .puller import StatementPuller

Method = Callable[..., Awaitable[Any]]


class TaskBinding:
    __signature__: inspect.Signature

    def __init__(self, method: Method) -> None:
        self.bind(method)

    def bind(self, method: Method) -> None:
        self._method = method
        # The registry reads the arguments a job may pass from the signature.
        self.__signature__ = inspect.signature(method)
        self.__qualname__ = getattr(method, "__qualname__", type(self).__qualname__)

    async def __call__(self, **kwargs: Any) -> Any:
        return await self._method(**kwargs)


def install_tasks(registry: TaskRegistry, puller: StatementPuller) -> None:
    """Make ``statements.pull`` and ``statements.start`` run on ``puller``."""
    for name, method in ((PULL_TASK, puller.pull), (START_TASK, puller.start)):
        existing = registry.get(name)
        if existing is not None and isinstance(existing.function, TaskBinding):
            existing.function.bind(method)
        else:
            registry.register(name, TaskBinding(method))
