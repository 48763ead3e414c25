"""Jobs of kind ``task``: registered Python callables, sync or async.

See docs/tasks-and-commands.md.
"""

from ringback.core.executors.task.context import TaskContext
from ringback.core.executors.task.executor import TaskExecutor
from ringback.core.executors.task.loading import load_task_modules
from ringback.core.executors.task.payload import TaskCall, parse_task_call
from ringback.core.executors.task.registry import (
    RegisteredTask,
    TaskFunction,
    TaskRegistry,
    default_registry,
    task,
)
from ringback.core.executors.task.signals import Fail, Retry, TaskSignal

__all__ = [
    "Fail",
    "RegisteredTask",
    "Retry",
    "TaskCall",
    "TaskContext",
    "TaskExecutor",
    "TaskFunction",
    "TaskRegistry",
    "TaskSignal",
    "default_registry",
    "load_task_modules",
    "parse_task_call",
    "task",
]
