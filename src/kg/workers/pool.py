"""The server's side of the worker processes: deadlines that stop work, and fair admission.

Work is sent to a worker process over its socket and the calling thread waits for the answer
with a deadline. Past the deadline the worker is killed (``SIGKILL`` through a pidfd): the
evaluation stops and its CPU is freed at once, whatever the engine was doing. A fresh worker
takes its place.

Admission (so that runaway queries cannot starve cheap ones):

- **Fast lane.** ``idle`` workers are kept ready at all times (a background thread replaces
  every worker that is taken, killed or out of date), so a cheap query never waits for a fork.
- **Heavy lane.** A query still running after ``cheap_seconds`` becomes *heavy*: its worker is
  given a lower CPU priority (nice 10) and it must hold one of ``heavy`` slots. If none is free,
  the worker is paused (``SIGSTOP``) and the query waits in a queue of at most ``heavy_queue``;
  when the queue is full it is stopped at once with :class:`~kg.errors.ServerBusy` (503 with
  ``Retry-After``).
- **Known heavy.** The key of a query that turned heavy is remembered for a while; the same query
  sent again waits for a heavy slot *before* it takes a worker, so re-sent runaways never occupy
  the fast lane.
- **Validation lane.** SHACL validation and upload parsing hold one of ``validate`` slots, with
  their own short queue.

Workers are tagged with the store version they hold. A write moves the pool to a new version;
an out-of-date worker is brought up to date before it serves again (a read sees the state before
or after a write, never between): it replays the writes it missed on its own copy when the store
can list them (``writes_since``; the background thread does this for idle workers right after a
write, so reads do not pay for it), and is replaced by a fresh fork otherwise. A worker replays
at most ``MAX_REPLAYED`` writes in its life (its copy-on-write pages diverge from the store's),
then it is replaced.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kg.errors import KgError, QueryTimeout, ServerBusy, StoreError, TooManyRequests
from kg.store.base import Lane
from kg.workers.handle import Spawner, WorkerHandle, decode_error

log = logging.getLogger(__name__)

HEAVY_NICE = 10
#: Writes one worker may replay in its life before it is replaced by a fresh fork.
MAX_REPLAYED = 2000
#: The longest a worker may take to replay the writes it missed.
CATCH_UP_SECONDS = 30.0
#: What a pool asks the store for: the writes after a version, or None (fork a new worker).
WritesSince = Callable[[int], list[Any] | None]
_KNOWN_HEAVY_SIZE = 1024
_KNOWN_HEAVY_SECONDS = 600.0


@dataclass(frozen=True)
class PoolLimits:
    """How much work runs at once; see the module docstring."""

    idle: int = 2
    heavy: int = 2
    heavy_queue: int = 4
    cheap_seconds: float = 0.5
    validate: int = 1
    validate_queue: int = 8
    #: Heavy evaluations one client may hold at once (a client: see kg.api.budgets).
    heavy_per_client: int = 1
    #: The longest a request waits for a worker or a slot before it is told to retry (503).
    queue_seconds: float = 10.0

    @property
    def max_workers(self) -> int:
        return self.idle + self.heavy + self.heavy_queue + self.validate + 1


class WorkerPool:
    """Workers, kept ready and replaced, and the admission rules of the module docstring."""

    def __init__(
        self,
        spawn: Spawner,
        limits: PoolLimits,
        *,
        version: int = 0,
        writes_since: WritesSince | None = None,
    ) -> None:
        self._spawn = spawn
        self._writes_since = writes_since
        self.limits = limits
        self._cv = threading.Condition()
        self._idle: deque[WorkerHandle] = deque()
        self._live: set[WorkerHandle] = set()
        self._spawning = 0
        self._version = version
        self._heavy_running = 0
        self._heavy_waiting = 0
        self._validate_running = 0
        self._validate_waiting = 0
        self._known_heavy: OrderedDict[str, float] = OrderedDict()
        self._heavy_by_client: Counter[str] = Counter()
        self._closed = False
        self._spawn_failures = 0
        self.stats: dict[str, int] = {
            "killed": 0,
            "spawned": 0,
            "busy": 0,
            "heavy": 0,
            "caught_up": 0,
        }
        self._maintainer = threading.Thread(target=self._maintain, name="kg-pool", daemon=True)
        self._maintainer.start()

    # -- versions and the idle reserve --------------------------------------------------

    @property
    def version(self) -> int:
        return self._version

    def set_version(self, version: int) -> None:
        """The store changed: idle workers behind ``version`` catch up or are replaced."""
        with self._cv:
            if version > self._version:
                self._version = version
                if self._writes_since is None:
                    stale = [w for w in self._idle if w.version < version]
                    self._idle = deque(w for w in self._idle if w.version >= version)
                    for w in stale:
                        self._retire(w)
            self._cv.notify_all()

    def _catch_up(self, worker: WorkerHandle, deadline: float) -> bool:
        """Bring ``worker`` (taken out of the idle reserve) to the current version by replaying
        the writes it missed; False when it cannot (the caller retires it). No lock held."""
        if self._writes_since is None or worker.dead:
            return False
        target = self._version
        writes = self._writes_since(worker.version)
        if writes is None or worker.replayed + len(writes) > MAX_REPLAYED:
            return False
        if not writes:
            return True
        try:
            worker.conn.send(("catch_up", writes))
            wait = max(0.0, min(deadline, time.monotonic() + CATCH_UP_SECONDS) - time.monotonic())
            if not worker.conn.poll(wait):
                return False
            status, version = worker.conn.recv()
        except (EOFError, OSError):
            return False
        if status != "ok" or version < target:
            if status != "ok":
                log.error("a worker could not replay the writes it missed: %s", version)
            return False
        worker.version = version
        worker.replayed += len(writes)
        self.stats["caught_up"] += 1
        return True

    def _stale_idle(self) -> WorkerHandle | None:
        """An idle worker behind the current version, taken out of the reserve (lock held)."""
        if self._writes_since is None:
            return None
        for w in self._idle:
            if w.version < self._version:
                self._idle.remove(w)
                return w
        return None

    def _retire(self, worker: WorkerHandle) -> None:
        """Kill ``worker`` and forget it (call with the lock held)."""
        worker.kill()
        self._live.discard(worker)
        self._cv.notify_all()

    def _wanted_spawns(self) -> int:
        missing = self.limits.idle - len(self._idle) - self._spawning
        room = self.limits.max_workers - len(self._live) - self._spawning
        return max(0, min(missing, room))

    def _maintain(self) -> None:
        """Keep ``idle`` up-to-date workers ready (runs in its own thread)."""
        while True:
            with self._cv:
                stale = self._stale_idle()
                while not self._closed and stale is None and self._wanted_spawns() == 0:
                    self._cv.wait(timeout=1.0)
                    for w in [w for w in self._idle if not w.looks_alive()]:
                        self._idle.remove(w)
                        self._retire(w)
                    stale = self._stale_idle()
                if self._closed:
                    if stale is not None:
                        self._retire(stale)
                    return
                if stale is None:
                    self._spawning += 1
            if stale is not None:
                self._return_caught_up(stale)
                continue
            worker = self._spawn_one()
            with self._cv:
                self._spawning -= 1
                if worker is not None:
                    if self._closed or worker.version < self._version:
                        worker.kill()
                    else:
                        self._live.add(worker)
                        self._idle.append(worker)
                self._cv.notify_all()
            if worker is None:
                time.sleep(min(2.0, 0.05 * 2 ** min(self._spawn_failures, 6)))

    def _return_caught_up(self, worker: WorkerHandle) -> None:
        """Catch ``worker`` up (outside the lock) and put it back in the reserve, or retire it."""
        ok = self._catch_up(worker, time.monotonic() + CATCH_UP_SECONDS)
        with self._cv:
            if ok and not self._closed and worker.looks_alive():
                self._idle.append(worker)
            else:
                self._retire(worker)
            self._cv.notify_all()

    def _spawn_one(self) -> WorkerHandle | None:
        try:
            worker = self._spawn()
        except KgError as exc:
            self._spawn_failures += 1
            if self._spawn_failures in (1, 10, 100):
                log.error("cannot start a worker: %s", exc.message)
            return None
        self._spawn_failures = 0
        self.stats["spawned"] += 1
        return worker

    # -- admission -----------------------------------------------------------------------

    def _busy(self, what: str) -> ServerBusy:
        self.stats["busy"] += 1
        retry = max(1, round(self.limits.cheap_seconds * 4))
        return ServerBusy(
            f"the server is busy with {what}; retry in {retry} s",
            retry_after=retry,
        )

    def _acquire(self, deadline: float) -> WorkerHandle:
        """An idle, up-to-date worker (forked on demand when the reserve is empty)."""
        give_up = min(deadline, time.monotonic() + self.limits.queue_seconds)
        with self._cv:
            while True:
                if self._closed:
                    raise StoreError("the server is shutting down")
                behind = None
                while self._idle:
                    worker = self._idle.popleft()
                    if not worker.looks_alive():
                        self._retire(worker)
                    elif worker.version == self._version:
                        self._cv.notify_all()  # the maintainer refills the reserve
                        return worker
                    elif self._writes_since is None:
                        self._retire(worker)
                    else:
                        behind = worker
                        break
                if behind is not None:
                    self._cv.notify_all()
                    self._cv.release()
                    try:
                        ok = self._catch_up(behind, deadline)
                    finally:
                        self._cv.acquire()
                    if ok:
                        return behind
                    self._retire(behind)
                    continue
                if len(self._live) + self._spawning < self.limits.max_workers:
                    self._spawning += 1
                    break
                remaining = give_up - time.monotonic()
                if remaining <= 0:
                    if time.monotonic() >= deadline:
                        raise QueryTimeout(
                            "no worker became free before the deadline; try again later"
                        )
                    raise self._busy("other requests (every worker is taken)")
                self._cv.wait(remaining)
        spawned = self._spawn_one()
        with self._cv:
            self._spawning -= 1
            self._cv.notify_all()
            if spawned is None:
                raise StoreError("could not start a worker process; see the server log")
            self._live.add(spawned)
            return spawned

    def _release(self, worker: WorkerHandle, *, reusable: bool) -> None:
        with self._cv:
            current = worker.version == self._version or self._writes_since is not None
            if reusable and not self._closed and current:
                self._idle.append(worker)
            else:
                self._retire(worker)
            self._cv.notify_all()

    def _is_known_heavy(self, key: str | None) -> bool:
        if key is None:
            return False
        with self._cv:
            seen = self._known_heavy.get(key)
            if seen is None:
                return False
            if time.monotonic() - seen > _KNOWN_HEAVY_SECONDS:
                del self._known_heavy[key]
                return False
            self._known_heavy.move_to_end(key)
            return True

    def _remember_heavy(self, key: str | None) -> None:
        if key is None:
            return
        with self._cv:
            self._known_heavy[key] = time.monotonic()
            self._known_heavy.move_to_end(key)
            while len(self._known_heavy) > _KNOWN_HEAVY_SIZE:
                self._known_heavy.popitem(last=False)

    def _take_client_slot(self, client: str | None) -> None:
        """Count a heavy evaluation against its client (429 past ``heavy_per_client``)."""
        if client is None:
            return
        with self._cv:
            if self._heavy_by_client[client] >= self.limits.heavy_per_client:
                raise TooManyRequests(
                    f"this client already runs {self._heavy_by_client[client]} heavy "
                    f"evaluation(s), the most one client may (KG_HEAVY_PER_CLIENT); retry when "
                    "it has finished",
                    retry_after=max(1, round(self.limits.cheap_seconds * 4)),
                )
            self._heavy_by_client[client] += 1

    def _free_client_slot(self, client: str | None) -> None:
        if client is None:
            return
        with self._cv:
            self._heavy_by_client[client] -= 1
            if self._heavy_by_client[client] <= 0:
                del self._heavy_by_client[client]

    def _take_slot(self, kind: str, deadline: float, *, on_wait: Callable[[], None] | None) -> None:
        """Hold a ``heavy`` or ``validate`` slot, waiting in its bounded queue if need be."""
        limit = self.limits.heavy if kind == "heavy" else self.limits.validate
        queue = self.limits.heavy_queue if kind == "heavy" else self.limits.validate_queue
        running, waiting = f"_{kind}_running", f"_{kind}_waiting"
        give_up = min(deadline, time.monotonic() + self.limits.queue_seconds)
        with self._cv:
            if getattr(self, running) < limit:
                setattr(self, running, getattr(self, running) + 1)
                return
            if getattr(self, waiting) >= queue:
                raise self._busy("heavy queries" if kind == "heavy" else "validations")
            setattr(self, waiting, getattr(self, waiting) + 1)
        if on_wait is not None:
            on_wait()
        with self._cv:
            try:
                while getattr(self, running) >= limit:
                    if self._closed:
                        raise StoreError("the server is shutting down")
                    remaining = give_up - time.monotonic()
                    if remaining <= 0:
                        if time.monotonic() >= deadline:
                            raise QueryTimeout(
                                "the query waited for a free heavy-query slot until its "
                                "deadline and was stopped"
                            )
                        raise self._busy("heavy queries" if kind == "heavy" else "validations")
                    self._cv.wait(remaining)
                setattr(self, running, getattr(self, running) + 1)
            finally:
                setattr(self, waiting, getattr(self, waiting) - 1)

    def _free_slot(self, kind: str) -> None:
        with self._cv:
            name = f"_{kind}_running"
            setattr(self, name, getattr(self, name) - 1)
            self._cv.notify_all()

    # -- running -------------------------------------------------------------------------

    def run(
        self,
        payload: Any,
        *,
        timeout: float,
        lane: Lane = Lane.INTERNAL,
        key: str | None = None,
        dirty: bool = False,
        client: str | None = None,
    ) -> Any:
        """Send ``payload`` to a worker and return its answer, within ``timeout`` seconds.

        ``dirty`` work changes the worker's own copy of the store (it is replaced afterwards).
        Raises the worker's error, :class:`QueryTimeout` past the deadline (the worker is
        killed), or :class:`ServerBusy` when admission refuses the work.
        """
        deadline = time.monotonic() + timeout
        slots: list[str] = []
        try:
            if lane is Lane.VALIDATE:
                self._take_slot("validate", deadline, on_wait=None)
                slots.append("validate")
            if lane is Lane.QUERY and self._is_known_heavy(key):
                self._take_client_slot(client)
                slots.append("client")
                self._take_slot("heavy", deadline, on_wait=None)
                slots.append("heavy")
            return self._run_on_worker(payload, deadline, timeout, lane, key, dirty, slots, client)
        finally:
            for kind in slots:
                if kind == "client":
                    self._free_client_slot(client)
                else:
                    self._free_slot(kind)

    def _run_on_worker(
        self,
        payload: Any,
        deadline: float,
        timeout: float,
        lane: Lane,
        key: str | None,
        dirty: bool,
        slots: list[str],
        client: str | None,
    ) -> Any:
        worker = self._acquire(deadline)
        reusable = False
        status: str = "crash"
        result: Any = None
        try:
            worker.conn.send(("job", payload))
            if lane is not Lane.VALIDATE and "heavy" not in slots:
                first = max(0.0, min(self.limits.cheap_seconds, deadline - time.monotonic()))
                if not worker.conn.poll(first) and time.monotonic() < deadline:
                    self._turn_heavy(worker, key, deadline, slots, client)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self.stats["killed"] += 1
                raise QueryTimeout(
                    f"the evaluation did not finish within {timeout:g} s and was stopped",
                    timeout_s=timeout,
                )
            status, result = worker.conn.recv()
            reusable = status != "crash" and not dirty and not worker.niced
        except (EOFError, OSError):
            raise StoreError(
                "the worker process died during this request (it may have run out of memory); "
                "see the server log"
            ) from None
        finally:
            self._release(worker, reusable=reusable)
        if status == "ok":
            return result
        if status == "error":
            raise decode_error(result)
        log.error("worker failed: %s", result)
        raise StoreError("the worker process failed unexpectedly; see the server log")

    def _turn_heavy(
        self,
        worker: WorkerHandle,
        key: str | None,
        deadline: float,
        slots: list[str],
        client: str | None,
    ) -> None:
        """The work outlived the fast lane: lower its priority and give it a heavy slot."""
        self.stats["heavy"] += 1
        self._remember_heavy(key)
        worker.renice(HEAVY_NICE)
        self._take_client_slot(client)
        slots.append("client")
        paused = False

        def pause() -> None:
            nonlocal paused
            worker.signal(signal.SIGSTOP)
            paused = True

        try:
            self._take_slot("heavy", deadline, on_wait=pause)
        finally:
            if paused:
                worker.signal(signal.SIGCONT)
        slots.append("heavy")

    # -- shutdown ------------------------------------------------------------------------

    def close(self) -> None:
        """Kill every worker; waiting requests fail at once."""
        with self._cv:
            self._closed = True
            for worker in list(self._live):
                self._retire(worker)
            self._idle.clear()
            self._cv.notify_all()
        self._maintainer.join(timeout=5)

    def snapshot(self) -> dict[str, int]:
        """Counts for health pages and tests."""
        with self._cv:
            return {
                "workers": len(self._live),
                "idle": len(self._idle),
                "heavy_running": self._heavy_running,
                "heavy_waiting": self._heavy_waiting,
                "validate_running": self._validate_running,
                **self.stats,
            }

    def worker_pids(self) -> list[int]:
        with self._cv:
            return sorted(w.pid for w in self._live if not w.dead)
