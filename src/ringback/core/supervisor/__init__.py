"""A pre-fork style process supervisor: one master, named children, no polling.

Generic on purpose: it runs argv lists and knows nothing of jobs. See
docs/supervisor.md for signals, exit codes, the restart policy and readiness.
"""

from ringback.core.supervisor.child import (
    READY_FD_ENV,
    STATE_DIR_ENV,
    apply_process_title,
    child_name,
    master_alive,
    notify_ready,
)
from ringback.core.supervisor.exit_codes import (
    EXIT_ALREADY_RUNNING,
    EXIT_CONFIG,
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_RECYCLE,
    EXIT_USAGE,
    describe_exit,
)
from ringback.core.supervisor.liveness import MASTER_TITLE
from ringback.core.supervisor.pidfile import running_master_pid
from ringback.core.supervisor.restart_policy import RestartDecision, RestartPolicy
from ringback.core.supervisor.settings import ReloadSpecs
from ringback.core.supervisor.spec import ChildSpec
from ringback.core.supervisor.state import (
    MASTER_STATE_FILE,
    ChildStatus,
    StatusReport,
    read_status,
    write_child_state,
)
from ringback.core.supervisor.stop import stop_master
from ringback.core.supervisor.supervisor import Supervisor

__all__ = [
    "EXIT_ALREADY_RUNNING",
    "EXIT_CONFIG",
    "EXIT_FAILURE",
    "EXIT_OK",
    "EXIT_RECYCLE",
    "EXIT_USAGE",
    "MASTER_STATE_FILE",
    "MASTER_TITLE",
    "READY_FD_ENV",
    "STATE_DIR_ENV",
    "ChildSpec",
    "ChildStatus",
    "ReloadSpecs",
    "RestartDecision",
    "RestartPolicy",
    "StatusReport",
    "Supervisor",
    "apply_process_title",
    "child_name",
    "describe_exit",
    "master_alive",
    "notify_ready",
    "read_status",
    "running_master_pid",
    "stop_master",
    "write_child_state",
]
