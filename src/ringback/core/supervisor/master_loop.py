"""The master's event loop: children in slots, restarts, stops and roll-overs.

Event-driven, never polling: a selector watches the signal wakeup pipe (SIGCHLD,
SIGTERM, SIGINT, SIGHUP) and each new child's readiness pipe, and sleeps exactly
until the next deadline (a restart after backoff, a SIGKILL after the grace, a
readiness timeout).
"""

from __future__ import annotations

import logging
import selectors
import signal
from collections import deque
from collections.abc import Sequence
from datetime import datetime, timedelta

from ringback.core.supervisor.exit_codes import describe_exit
from ringback.core.supervisor.process import ChildProcess, read_ready, spawn
from ringback.core.supervisor.settings import LoopSettings
from ringback.core.supervisor.signals import SignalInbox
from ringback.core.supervisor.slots import Slot, state_document
from ringback.core.supervisor.spec import ChildSpec, check_unique_names
from ringback.core.supervisor.state import write_json_atomic

log = logging.getLogger("ringback.supervisor")


class MasterLoop:
    """One run of the master, from starting the children to the last one's exit."""

    def __init__(
        self,
        specs: Sequence[ChildSpec],
        settings: LoopSettings,
        *,
        selector: selectors.BaseSelector,
        master_pid: int,
        started_at: datetime,
    ) -> None:
        self._settings = settings
        self._policy = settings.policy
        self._mono = settings.mono
        self._clock = settings.clock
        self._notifier = settings.notifier
        self._grace_s = settings.grace_s
        self._ready_timeout_s = settings.ready_timeout_s
        self._state_file = settings.state_file
        self._sel = selector
        self._master_pid = master_pid
        self._started_at = started_at
        self._slots: dict[str, Slot] = {spec.name: Slot(spec) for spec in specs}
        self._retiring: list[ChildProcess] = []
        self._candidate: ChildProcess | None = None
        self._candidate_deadline: float | None = None
        self._roll_queue: deque[str] = deque()
        self._rolling = False
        self._stopping = False
        self._reap_due = False
        self._announced_ready = False
        self._boot_deadline = 0.0
        self._reloads = 0
        self._reload_failures = 0
        self._dirty = True

    def run(self, inbox: SignalInbox) -> None:
        """Start the children and supervise them until a stop signal and their exit."""
        self._boot_deadline = self._mono() + self._ready_timeout_s
        for slot in self._slots.values():
            self._start(slot)
        while not (self._stopping and not self._live()):
            for key, _ in self._sel.select(self._next_timeout()):
                if key.data is None:
                    self._on_signals(inbox.drain())
                else:
                    self._on_ready_pipe(key.data)
            if self._reap_due:
                self._reap_due = False
                self._reap()
            self._fire_timers()
            self._advance_rolling()
            if self._dirty:
                self.write_state(final=False)
            self._announce_boot_ready()  # after the state write: status agrees with systemd

    def _live(self) -> list[ChildProcess]:
        procs = [slot.current for slot in self._slots.values() if slot.current is not None]
        if self._candidate is not None:
            procs.append(self._candidate)
        return procs + self._retiring

    # -- starting -----------------------------------------------------------------
    def _spawn(self, spec: ChildSpec) -> ChildProcess:
        state_dir = str(self._state_file.parent) if self._state_file is not None else None
        proc = spawn(
            spec,
            master_pid=self._master_pid,
            state_dir=state_dir,
            started_mono=self._mono(),
            started_at=self._clock.now(),
        )
        if proc.ready_fd is not None:
            self._sel.register(proc.ready_fd, selectors.EVENT_READ, proc)
        self._dirty = True
        return proc

    def _start(self, slot: Slot) -> None:
        try:
            slot.current = self._spawn(slot.spec)
        except OSError as exc:
            log.error("cannot start %s: %s", slot.spec.name, exc)
            slot.last_exit_code = None
            self._schedule_restart(slot, None, 0.0)
            return
        log.info("started %s as pid %d", slot.spec.name, slot.current.pid)

    def _schedule_restart(self, slot: Slot, returncode: int | None, uptime_s: float) -> None:
        decision = self._policy.after_exit(
            returncode=returncode, uptime=timedelta(seconds=uptime_s), streak=slot.streak
        )
        slot.streak = decision.streak
        slot.backoff_s = decision.delay.total_seconds()
        slot.restart_at = self._mono() + slot.backoff_s
        self._dirty = True
        if decision.crashed:
            slot.crashes += 1
            log.warning(
                "%s %s after %.1fs; crash %d in a row, restarting in %.3fs (backoff)",
                slot.spec.name,
                describe_exit(returncode),
                uptime_s,
                slot.streak,
                slot.backoff_s,
            )
        else:
            log.info("%s asked to be recycled after %.1fs; replacing it", slot.spec.name, uptime_s)

    # -- events -------------------------------------------------------------------
    def _on_signals(self, received: list[int]) -> None:
        for signum in received:
            if signum == signal.SIGCHLD:
                self._reap_due = True
            elif signum in (signal.SIGTERM, signal.SIGINT):
                if self._stopping:
                    self._kill_everything(signal.Signals(signum))
                else:
                    self._begin_stop(signal.Signals(signum))
            elif signum == signal.SIGHUP and not self._stopping:
                self._reload()

    def _on_ready_pipe(self, proc: ChildProcess) -> None:
        if proc.ready_fd is None:
            return
        ready = read_ready(proc.ready_fd)
        if ready is None:
            return
        self._forget_ready_pipe(proc)
        if not ready:
            return  # EOF: the child exited or closed the pipe; SIGCHLD tells the rest
        proc.ready = True
        self._dirty = True
        log.info("%s (pid %d) is ready", proc.name, proc.pid)
        if proc is self._candidate:
            self._promote(proc)

    def _forget_ready_pipe(self, proc: ChildProcess) -> None:
        if proc.ready_fd is not None:
            self._sel.unregister(proc.ready_fd)
            proc.close_ready_fd()

    def _reap(self) -> None:
        for proc in self._live():
            returncode = proc.popen.poll()
            if returncode is not None:
                self._on_exit(proc, returncode)

    def _on_exit(self, proc: ChildProcess, returncode: int) -> None:
        self._forget_ready_pipe(proc)
        self._dirty = True
        uptime_s = self._mono() - proc.started_mono
        what = describe_exit(returncode)
        if proc in self._retiring:
            self._retiring.remove(proc)
            log.info("%s (pid %d) stopped: %s", proc.name, proc.pid, what)
            return
        slot = self._slots.get(proc.name)
        if proc is self._candidate:
            self._candidate = self._candidate_deadline = None
            if not self._stopping:
                self._abort_rolling(f"the replacement for {proc.name} {what} before it was ready")
                self._refill(proc.name)
            return
        assert slot is not None and slot.current is proc
        slot.current = None
        slot.last_exit_code = returncode
        if self._stopping:
            log.info("%s (pid %d) stopped: %s", proc.name, proc.pid, what)
        elif self._candidate is not None and self._candidate.name == proc.name:
            log.warning("%s (pid %d) %s; its replacement takes over", proc.name, proc.pid, what)
        else:
            self._schedule_restart(slot, returncode, uptime_s)

    def _fire_timers(self) -> None:
        now = self._mono()
        if not self._stopping:
            for slot in self._slots.values():
                if slot.restart_at is not None and slot.restart_at <= now:
                    slot.restart_at = None
                    slot.restarts += 1
                    self._start(slot)
        for proc in self._live():
            if proc.kill_at is not None and proc.kill_at <= now:
                log.warning("%s (pid %d) did not stop in time: SIGKILL", proc.name, proc.pid)
                proc.send(signal.SIGKILL)
                proc.kill_at = None
        if self._candidate_deadline is not None and self._candidate_deadline <= now:
            late = self._candidate
            assert late is not None
            self._candidate = self._candidate_deadline = None
            self._retire(late)
            self._abort_rolling(
                f"the replacement for {late.name} was not ready within {self._ready_timeout_s}s"
            )
            self._refill(late.name)

    def _next_timeout(self) -> float | None:
        deadlines = [proc.kill_at for proc in self._live() if proc.kill_at is not None]
        if not self._stopping:
            deadlines += [s.restart_at for s in self._slots.values() if s.restart_at is not None]
        if self._candidate_deadline is not None:
            deadlines.append(self._candidate_deadline)
        if not self._announced_ready and not self._stopping:
            deadlines.append(self._boot_deadline)
        if not deadlines:
            return None
        return max(0.0, min(deadlines) - self._mono())

    def _announce_boot_ready(self) -> None:
        if self._announced_ready or self._stopping:
            return
        ready = sum(1 for s in self._slots.values() if s.current is not None and s.current.ready)
        if ready < len(self._slots) and self._mono() < self._boot_deadline:
            return
        self._announced_ready = True
        status = f"{ready}/{len(self._slots)} children ready"
        log.info("master is up: %s", status)
        self._notifier.ready(status)

    # -- stopping -----------------------------------------------------------------
    def _begin_stop(self, signum: signal.Signals) -> None:
        live = self._live()
        log.info("%s: stopping %d children (grace %.1fs)", signum.name, len(live), self._grace_s)
        self._notifier.stopping()
        self._stopping = True
        # A successor in flight is stopped like everyone else, not waited for.
        self._roll_queue.clear()
        self._rolling = False
        self._candidate_deadline = None
        deadline = self._mono() + self._grace_s
        for slot in self._slots.values():
            slot.restart_at = None
        for proc in live:
            proc.terminate(deadline)

    def _kill_everything(self, signum: signal.Signals) -> None:
        log.warning("%s again: killing every child now", signum.name)
        for proc in self._live():
            proc.send(signal.SIGKILL)
            proc.kill_at = None

    def kill_and_wait(self) -> None:
        """The last resort after a bug in the loop: no child may outlive the master."""
        for proc in self._live():
            proc.send(signal.SIGKILL)
            proc.popen.wait()
            proc.close_ready_fd()

    def _retire(self, proc: ChildProcess) -> None:
        proc.terminate(self._mono() + self._grace_s)
        self._retiring.append(proc)

    # -- rolling reload -----------------------------------------------------------
    def _reload(self) -> None:
        self._reloads += 1
        self._dirty = True
        self._notifier.reloading()
        existing = [name for name, slot in self._slots.items() if slot.current is not None]
        if self._settings.reload is not None:
            try:
                specs = list(self._settings.reload())
                check_unique_names(specs)
            except Exception as exc:
                self._reload_failures += 1
                log.error("SIGHUP: reload failed, keeping the running configuration: %s", exc)
                self._notifier.ready("reload failed; running the previous configuration")
                return
            existing = self._apply_specs(specs)
        log.info("SIGHUP: replacing %d children one at a time", len(existing))
        self._roll_queue = deque(existing)
        self._rolling = True

    def _apply_specs(self, specs: list[ChildSpec]) -> list[str]:
        """Install new specs; return the names of running children to roll over."""
        wanted = {spec.name for spec in specs}
        for name in [name for name in self._slots if name not in wanted]:
            gone = self._slots.pop(name)
            log.info("%s is no longer configured; stopping it", name)
            if gone.current is not None:
                self._retire(gone.current)
            if self._candidate is not None and self._candidate.name == name:
                self._retire(self._candidate)
                self._candidate = self._candidate_deadline = None
        slots: dict[str, Slot] = {}
        fresh: list[Slot] = []
        for spec in specs:
            slot = self._slots.get(spec.name)
            if slot is None:
                slot = Slot(spec)
                fresh.append(slot)
            slot.spec = spec
            slots[spec.name] = slot
        self._slots = slots
        existing = [name for name, slot in slots.items() if slot.current is not None]
        for slot in fresh:
            self._start(slot)
        return existing

    def _advance_rolling(self) -> None:
        if self._stopping or self._candidate is not None or not self._rolling:
            return
        while self._roll_queue:
            slot = self._slots.get(self._roll_queue.popleft())
            if slot is None or slot.current is None:
                continue  # gone, or waiting for a restart that will use the new spec
            try:
                self._candidate = self._spawn(slot.spec)
            except OSError as exc:
                self._abort_rolling(f"cannot start a replacement for {slot.spec.name}: {exc}")
                return
            self._candidate_deadline = self._mono() + self._ready_timeout_s
            log.info(
                "starting a replacement for %s (pid %d) as pid %d",
                slot.spec.name,
                slot.current.pid,
                self._candidate.pid,
            )
            return
        self._rolling = False
        log.info("SIGHUP: every child replaced")
        self._notifier.ready("reloaded")

    def _promote(self, proc: ChildProcess) -> None:
        self._candidate = self._candidate_deadline = None
        slot = self._slots.get(proc.name)
        if slot is None:
            self._retire(proc)
            return
        old, slot.current = slot.current, proc
        if old is not None:
            log.info("%s: pid %d took over; stopping pid %d", proc.name, proc.pid, old.pid)
            self._retire(old)

    def _refill(self, name: str) -> None:
        """A failed replacement leaves the slot empty if the old child died meanwhile."""
        slot = self._slots.get(name)
        if slot is not None and slot.current is None and slot.restart_at is None:
            self._schedule_restart(slot, slot.last_exit_code, 0.0)

    def _abort_rolling(self, reason: str) -> None:
        self._reload_failures += 1
        self._roll_queue.clear()
        self._rolling = False
        self._dirty = True
        log.error("SIGHUP: %s; reload stopped, the remaining children keep running", reason)
        self._notifier.ready("reload stopped; see the log")

    # -- state --------------------------------------------------------------------
    def write_state(self, *, final: bool) -> None:
        self._dirty = False
        if self._state_file is None:
            return
        document = state_document(
            master_pid=self._master_pid,
            started_at=self._started_at,
            stopped_at=self._clock.now() if final else None,
            reloads=self._reloads,
            reload_failures=self._reload_failures,
            slots=list(self._slots.values()),
        )
        try:
            write_json_atomic(self._state_file, document)
        except OSError as exc:
            log.warning("cannot write the state file %s: %s", self._state_file, exc)
