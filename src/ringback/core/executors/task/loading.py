"""Importing the user's task modules named in the configuration."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from types import ModuleType

from ringback.core.errors import ConfigError
from ringback.core.executors.task.registry import (
    TASK_NAME_ATTRIBUTE,
    TaskFunction,
    TaskRegistry,
)

MODULES_FIELD = "tasks.modules"


def load_task_modules(modules: Sequence[str], registry: TaskRegistry) -> list[str]:
    """Import ``modules`` and make sure each task they define is in ``registry``.

    Returns the names of the tasks found, in order. Raises ConfigError naming the
    module when an import fails or when two tasks share a name.
    """
    found: list[str] = []
    for module_name in modules:
        module = _import(module_name)
        for name, function in _marked_tasks(module):
            try:
                registry.register(name, function)
            except ConfigError as exc:
                raise ConfigError(
                    f"task module {module_name!r}: {exc.message}", field=MODULES_FIELD
                ) from None
            if name not in found:
                found.append(name)
    return found


def _import(module_name: str) -> ModuleType:
    if not isinstance(module_name, str) or not module_name.strip():
        raise ConfigError(f"not a module name: {module_name!r}", field=MODULES_FIELD)
    try:
        return importlib.import_module(module_name)
    except ConfigError as exc:
        # Raised while the module ran, e.g. two ``@task`` with one name.
        raise ConfigError(
            f"task module {module_name!r}: {exc.message}", field=MODULES_FIELD
        ) from None
    except Exception as exc:
        first_line = (str(exc).strip().splitlines() or [""])[0]
        raise ConfigError(
            f"cannot import task module {module_name!r}: {type(exc).__name__}: {first_line}",
            field=MODULES_FIELD,
        ) from exc


def _marked_tasks(module: ModuleType) -> list[tuple[str, TaskFunction]]:
    marked: list[tuple[str, TaskFunction]] = []
    for value in vars(module).values():
        name = getattr(value, TASK_NAME_ATTRIBUTE, None)
        if isinstance(name, str) and callable(value):
            marked.append((name, value))
    return marked
