"""The dispatcher loop.

One dispatcher runs in each worker process. It claims due jobs in batches under a
lease, runs them with bounded concurrency (overall and per target), hands results
to the pure ``decide_outcome`` and records outcomes in batches. With nothing due
it sleeps exactly until the next due time, and the store wakes it at once when a
job is submitted (no scan interval).

Delivery is at-least-once: a worker that dies holding a lease has its jobs
claimed again when the lease expires.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timedelta

from ringback.core.clock import Clock
from ringback.core.dispatcher.decide import decide_outcome
from ringback.core.dispatcher.limiter import TargetLimiter
from ringback.core.dispatcher.observer import DispatchObserver, FollowUpSource
from ringback.core.dispatcher.options import DispatcherOptions
from ringback.core.dispatcher.recorder import OutcomeRecorder
from ringback.core.errors import RingbackError
from ringback.core.executors.base import ExecutionResult, Executor, ResultKind
from ringback.core.jobs import Job, JobKind, NewJob, Outcome
from ringback.core.policies import Policy
from ringback.core.policies.spec import parse_policy
from ringback.core.store.contract import Store

log = logging.getLogger("ringback.dispatcher")

STORE_ERROR_PAUSE_S = 1.0  # after a failed claim, before the next try


class Dispatcher:
    def __init__(
        self,
        store: Store,
        executors: Mapping[JobKind, Executor],
        *,
        clock: Clock,
        options: DispatcherOptions,
        worker_id: str,
        observers: Sequence[DispatchObserver] = (),
    ) -> None:
        self._store = store
        self._executors = executors
        self._clock = clock
        self._options = options
        self.worker_id = worker_id
        self._observers = tuple(observers)
        self._follow_up_sources = tuple(o for o in observers if isinstance(o, FollowUpSource))
        self._limiter = TargetLimiter(options.per_target_limit)
        self._wake = asyncio.Event()
        self._recorder = OutcomeRecorder(
            store,
            clock,
            self._observers,
            batch_size=options.batch_size,
            flush_delay_s=options.flush_delay.total_seconds(),
            on_written=self._wake.set,
        )
        self._running: dict[int, asyncio.Task[None]] = {}
        self._stopping = False
        self._hurry = asyncio.Event()
        self._grace = timedelta(seconds=30)
        self.jobs_done = 0

    # -- public ---------------------------------------------------------------
    @property
    def exhausted(self) -> bool:
        """True once ``max_jobs`` attempts were made (time to recycle the worker)."""
        return bool(self._options.max_jobs) and self.jobs_done >= self._options.max_jobs

    @property
    def in_flight(self) -> int:
        return len(self._running)

    def stop(self, grace: timedelta = timedelta(seconds=30)) -> None:
        """Stop claiming; in-flight attempts get ``grace`` to finish, the rest are
        handed back. Calling it again stops at once."""
        if self._stopping:
            self._hurry.set()
            return
        self._stopping = True
        self._grace = grace
        self._wake.set()

    async def run(self) -> None:
        """Work until ``stop``; then finish or hand back everything held."""
        helpers = [
            asyncio.create_task(self._listen(), name="ringback-listen"),
            asyncio.create_task(self._renew(), name="ringback-renew"),
            asyncio.create_task(self._recorder.run(), name="ringback-record"),
        ]
        try:
            while not self._stopping:
                try:
                    await self._step()
                except RingbackError:
                    raise
                except Exception:
                    log.exception("dispatcher step failed; pausing")
                    await asyncio.sleep(STORE_ERROR_PAUSE_S)
        finally:
            await self._shutdown(helpers)

    # -- claiming ---------------------------------------------------------------
    async def _step(self) -> None:
        # Jobs whose outcome is not yet written still hold leases: counting them
        # keeps what a crash can re-run bounded by ``concurrency``.
        free = self._options.concurrency - self.in_flight - self._recorder.pending_count
        self._wake.clear()  # before asking the store, so no wake-up is lost
        if free <= 0:
            await self._wake.wait()
            return
        now = self._clock.now()
        limit = min(free, self._options.batch_size)
        if self._options.max_jobs:
            limit = min(limit, max(self._options.max_jobs - self.jobs_done - self.in_flight, 0))
            if limit == 0:
                self.stop(self._grace)
                return
        saturated = self._limiter.saturated()
        jobs = await self._store.claim(
            worker=self.worker_id,
            now=now,
            limit=limit,
            lease=self._options.lease,
            queues=self._options.queues,
            exclude_targets=saturated,
        )
        refused = [job.id for job in jobs if not self._start_if_room(job)]
        if refused:
            # Their target filled up earlier in this batch: give them back at once
            # (still due), rather than hold them while the target is busy.
            await self._store.release(
                worker=self.worker_id, job_ids=refused, run_at=now, now=self._clock.now()
            )
        if len(jobs) == limit:
            return  # there may be more due right now
        next_due = await self._store.next_due_at(self._options.queues, saturated)
        until = now + self._options.idle_wait
        if next_due is not None and next_due < until:
            until = next_due
        await self._clock.sleep_until(until, self._wake)

    def _start_if_room(self, job: Job) -> bool:
        if not self._limiter.try_acquire(job):
            return False
        self._start(job)
        return True

    def _start(self, job: Job) -> None:
        task = asyncio.create_task(self._attempt(job), name=f"ringback-job-{job.id}")
        self._running[job.id] = task

    async def _attempt(self, job: Job) -> None:
        started_at = self._clock.now()
        for observer in self._observers:
            observer.on_start(job, started_at)
        try:
            result = await self._execute(job)
            finished_at = self._clock.now()
            policy = self._policy(job)
            if policy is None:
                result = ExecutionResult(ResultKind.FAIL, error="job has an invalid policy")
                policy = parse_policy({"type": "schedule", "delays": ["0s"]})
            outcome = decide_outcome(
                job,
                result,
                policy=policy,
                worker=self.worker_id,
                started_at=started_at,
                finished_at=finished_at,
            )
            self._recorder.add(job, self._with_follow_ups(job, outcome))
            self.jobs_done += 1
        finally:
            self._finish(job)

    async def _execute(self, job: Job) -> ExecutionResult:
        executor = self._executors.get(job.kind)
        if executor is None:
            return ExecutionResult(ResultKind.FAIL, error=f"no executor for kind {job.kind!s}")
        try:
            return await executor.execute(job)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # an executor bug must not kill the worker
            log.exception("executor %s raised for job %s", job.kind, job.id)
            return ExecutionResult(ResultKind.RETRY, error=f"{type(exc).__name__}: {exc}")

    def _with_follow_ups(self, job: Job, outcome: Outcome) -> Outcome:
        extra: list[NewJob] = []
        for source in self._follow_up_sources:
            try:
                extra.extend(source.follow_ups(job, outcome))
            except Exception:  # an observer bug must not cost the outcome
                log.exception("follow-up jobs for job %s failed", job.id)
        if not extra:
            return outcome
        return replace(outcome, follow_ups=(*outcome.follow_ups, *extra))

    def _policy(self, job: Job) -> Policy | None:
        try:
            return parse_policy(job.policy)
        except RingbackError:
            return None

    def _finish(self, job: Job) -> None:
        was_full = self.in_flight >= self._options.concurrency
        self._running.pop(job.id, None)
        if not self._running:
            self._recorder.write_soon()  # the last one running: its batch is complete
        if self._limiter.release(job.target) or was_full:
            self._wake.set()  # a claim may now take what was skipped

    # -- background helpers -----------------------------------------------------
    async def _listen(self) -> None:
        idle_s = self._options.idle_wait.total_seconds()
        while True:
            try:
                if await self._store.wait_for_jobs(idle_s):
                    self._wake.set()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("waiting for store wake-ups failed")
                await asyncio.sleep(STORE_ERROR_PAUSE_S)

    async def _renew(self) -> None:
        every_s = self._options.renew_every.total_seconds()
        while True:
            await asyncio.sleep(every_s)
            try:
                await self._renew_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("renewing leases failed")

    async def _renew_once(self) -> None:
        held = self._held_ids()
        if not held:
            return
        kept = await self._store.renew_leases(
            worker=self.worker_id,
            job_ids=held,
            now=self._clock.now(),
            lease=self._options.lease,
        )
        for job_id in set(held) - kept:
            task = self._running.get(job_id)
            if task is not None:
                # Cancelled by an operator, or the lease was lost: stop the attempt.
                log.warning("job %s: lease no longer held; stopping its attempt", job_id)
                task.cancel()

    def _held_ids(self) -> list[int]:
        ids = list(self._running)
        ids.extend(self._recorder.pending_job_ids())
        return ids

    # -- stopping -----------------------------------------------------------------
    async def _shutdown(self, helpers: list[asyncio.Task[None]]) -> None:
        await self._drain()
        unfinished = list(self._running.items())
        for _, task in unfinished:
            task.cancel()
        for _, task in unfinished:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        handed_back = [job_id for job_id, _ in unfinished]
        await self._recorder.flush()
        for helper in helpers:
            helper.cancel()
        for helper in helpers:
            with contextlib.suppress(asyncio.CancelledError):
                await helper
        if handed_back:
            now = self._clock.now()
            count = await self._store.release(
                worker=self.worker_id, job_ids=handed_back, run_at=now, now=now
            )
            log.info("handed back %d unfinished jobs", count)

    async def _drain(self) -> None:
        """Let running attempts finish, for the grace period or until hurried."""
        if not self._running or self._hurry.is_set():
            return
        finished = asyncio.create_task(asyncio.wait(list(self._running.values())))
        hurried = asyncio.create_task(self._hurry.wait())
        await asyncio.wait(
            [finished, hurried],
            timeout=self._grace.total_seconds(),
            return_when=asyncio.FIRST_COMPLETED,
        )
        for waiter in (finished, hurried):
            waiter.cancel()
