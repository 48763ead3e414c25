"""Named Python callables that jobs of kind ``task`` run.

    from ringback.core.executors.task import task

    @task("statements.fetch")
    async def fetch(account: str, day: str) -> dict[str, int]: ...

``task`` registers on the module-level ``default_registry`` and marks the function,
so ``load_task_modules`` can also gather it into another registry.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from ringback.core.errors import ConfigError, InvalidInput
from ringback.core.jobs import JsonObject

TaskFunction = Callable[..., Any]
F = TypeVar("F", bound=TaskFunction)

CTX_PARAMETER = "ctx"
TASK_NAME_ATTRIBUTE = "_ringback_task_name"
_TASK_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:-]{0,199}")


@dataclass(frozen=True, slots=True)
class RegisteredTask:
    name: str
    function: TaskFunction
    is_async: bool
    wants_ctx: bool  # the function declares a ``ctx`` parameter
    signature: inspect.Signature

    @property
    def qualified_name(self) -> str:
        return f"{self.function.__module__}.{self.function.__qualname__}"

    def check_args(self, args: JsonObject) -> None:
        """Raise InvalidInput (field ``args``) unless ``args`` fit the signature."""
        if CTX_PARAMETER in args and self.wants_ctx:
            raise InvalidInput("'ctx' is supplied by ringback, not by the job", field="args.ctx")
        trial = dict(args)
        if self.wants_ctx:
            trial[CTX_PARAMETER] = None
        try:
            self.signature.bind(**trial)
        except TypeError as exc:
            raise InvalidInput(
                f"the arguments do not fit task {self.name!r}: {exc}", field="args"
            ) from None


class TaskRegistry:
    def __init__(self) -> None:
        self._tasks: dict[str, RegisteredTask] = {}

    def task(self, name: str) -> Callable[[F], F]:
        """Decorator: register a sync or async function under ``name``."""

        def decorate(function: F) -> F:
            self.register(name, function)
            setattr(function, TASK_NAME_ATTRIBUTE, name)
            return function

        return decorate

    def register(self, name: str, function: TaskFunction) -> RegisteredTask:
        if not isinstance(name, str) or not _TASK_NAME.fullmatch(name):
            raise ConfigError(
                f"task name {name!r} must be 1-200 letters, digits, '_', '.', ':' or '-'",
                field="task",
            )
        existing = self._tasks.get(name)
        if existing is not None:
            if existing.function is function:
                return existing
            raise ConfigError(
                f"two tasks are named {name!r}: {existing.qualified_name} and "
                f"{function.__module__}.{function.__qualname__}",
                field="task",
            )
        registered = _describe(name, function)
        self._tasks[name] = registered
        return registered

    def get(self, name: str) -> RegisteredTask | None:
        return self._tasks.get(name)

    def names(self) -> list[str]:
        return sorted(self._tasks)

    def __contains__(self, name: object) -> bool:
        return name in self._tasks

    def __iter__(self) -> Iterator[RegisteredTask]:
        return iter(self._tasks.values())

    def __len__(self) -> int:
        return len(self._tasks)


def _describe(name: str, function: TaskFunction) -> RegisteredTask:
    if not callable(function):
        raise ConfigError(f"task {name!r} is not callable", field="task")
    signature = inspect.signature(function)
    for parameter in signature.parameters.values():
        # Jobs pass their args by name, so a required positional-only parameter
        # could never be filled.
        if parameter.kind is parameter.POSITIONAL_ONLY and parameter.default is parameter.empty:
            raise ConfigError(
                f"task {name!r} has a positional-only parameter {parameter.name!r}; "
                "tasks receive their arguments by name",
                field="task",
            )
    ctx = signature.parameters.get(CTX_PARAMETER)
    return RegisteredTask(
        name=name,
        function=function,
        is_async=_is_async(function),
        wants_ctx=ctx is not None and ctx.kind is not ctx.POSITIONAL_ONLY,
        signature=signature,
    )


def _is_async(function: TaskFunction) -> bool:
    if inspect.iscoroutinefunction(function):
        return True
    # An instance whose ``__call__`` is ``async def`` is async too.
    call = inspect.getattr_static(type(function), "__call__", None)
    return inspect.iscoroutinefunction(call)


default_registry = TaskRegistry()
task = default_registry.task
