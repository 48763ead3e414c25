"""The child's side of the supervision protocol.

The master passes a few environment variables to every child:

- ``RINGBACK_READY_FD``: the write end of a pipe. The child writes one byte once it
  can do its work (store open, dispatcher running); ``notify_ready()`` does that.
  A rolling reload (SIGHUP) waits for this byte before stopping the old child.
- ``RINGBACK_CHILD_NAME`` and ``RINGBACK_PROCESS_TITLE``: who the child is and the
  title ``apply_process_title()`` sets (what ``ps`` shows).
- ``RINGBACK_MASTER_PID``: so a child can notice its master is gone (``master_alive``).
- ``RINGBACK_STATE_DIR``: where the child may write its counters (``write_child_state``).
"""

from __future__ import annotations

import contextlib
import os

READY_FD_ENV = "RINGBACK_READY_FD"
CHILD_NAME_ENV = "RINGBACK_CHILD_NAME"
PROCESS_TITLE_ENV = "RINGBACK_PROCESS_TITLE"
MASTER_PID_ENV = "RINGBACK_MASTER_PID"
STATE_DIR_ENV = "RINGBACK_STATE_DIR"

READY_BYTE = b"R"

SUPERVISOR_ENV_NAMES = (
    READY_FD_ENV,
    CHILD_NAME_ENV,
    PROCESS_TITLE_ENV,
    MASTER_PID_ENV,
    STATE_DIR_ENV,
)


def notify_ready() -> bool:
    """Tell the master this child is ready. Returns False when not supervised.

    Safe to call more than once: the first call closes the pipe and removes the
    variable, so later calls (and any grandchildren) do nothing.
    """
    raw = os.environ.pop(READY_FD_ENV, None)
    if raw is None:
        return False
    try:
        fd = int(raw)
    except ValueError:
        return False
    try:
        os.write(fd, READY_BYTE)
    except OSError:
        # The master closed its end (it gave up waiting, or is gone); nothing to tell.
        return False
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
    return True


def apply_process_title() -> None:
    """Set the title the master chose for this child, if any."""
    title = os.environ.get(PROCESS_TITLE_ENV)
    if title:
        import setproctitle

        setproctitle.setproctitle(title)


def child_name() -> str | None:
    return os.environ.get(CHILD_NAME_ENV)


def master_alive() -> bool:
    """False once the master that started this child has exited.

    An orphaned child is re-parented, so its parent pid stops matching. Children
    check this now and then and stop on their own rather than run unsupervised.
    """
    raw = os.environ.get(MASTER_PID_ENV)
    if raw is None:
        return True  # not supervised: nobody to outlive
    return str(os.getppid()) == raw
