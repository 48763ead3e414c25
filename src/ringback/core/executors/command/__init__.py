"""Jobs of kind ``command``: programs the operator defined, run without a shell.

See docs/tasks-and-commands.md.
"""

from ringback.core.executors.command.definition import CommandDef
from ringback.core.executors.command.executor import (
    INHERITED_ENV,
    RETRY_AFTER_PREFIX,
    CommandExecutor,
)
from ringback.core.executors.command.runner import CommandRun, run_command
from ringback.core.executors.command.tail import TailBuffer
from ringback.core.executors.command.template import ArgvTemplate

__all__ = [
    "INHERITED_ENV",
    "RETRY_AFTER_PREFIX",
    "ArgvTemplate",
    "CommandDef",
    "CommandExecutor",
    "CommandRun",
    "TailBuffer",
    "run_command",
]
