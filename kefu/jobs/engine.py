"""Huey behind a small typed interface: tasks, periodic tasks, dead letters and consumers.

Storage follows the settings: a ``SqliteHuey`` file in ``KEFU_DATA_DIR`` for the embedded default
(consumed by threads inside the server), a ``PriorityRedisHuey`` on ``KEFU_REDIS_URL`` in
production (consumed by ``kefu worker`` processes on any machine).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar

from huey import PriorityRedisHuey, SqliteHuey, crontab, signals
from huey.api import Huey
from huey.consumer import Consumer

from kefu.config import Settings
from kefu.runtime.shared import SharedState
from kefu.store.jobs_repo import SqlDeadLetters

if TYPE_CHECKING:
    from kefu.jobs.tasks import KefuTasks

log = logging.getLogger("kefu.jobs")

P = ParamSpec("P")
C = TypeVar("C")  # what every task runs against: the running kefu, as the tasks name it
QUEUE_NAME = "kefu"
# every consumer runs the scheduler; a periodic task runs once per minute slot all the same
_PERIODIC_SLOT_TTL_S = 120.0


def make_huey(settings: Settings) -> Huey:
    """The task storage for these settings (nothing is connected until first use)."""
    if settings.redis_url:
        return PriorityRedisHuey(QUEUE_NAME, url=settings.redis_url, results=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(
        QUEUE_NAME, filename=str((settings.data_dir / "jobs.db").resolve()), results=False
    )


@dataclass(frozen=True, slots=True)
class Retries:
    """How often a failing task is tried again: after ``delay_s``, then ``backoff`` times longer
    each time; when none are left it becomes a dead letter."""

    times: int = 0
    delay_s: float = 1.0
    backoff: float = 2.0


class Task(Generic[P]):
    """A registered task. ``enqueue`` hands it to a consumer; ``run_here`` runs it in this thread
    (the fast path of a request that still wants to answer)."""

    def __init__(self, name: str, wrapper: Any) -> None:
        self.name = name
        self._wrapper = wrapper

    def enqueue(self, *args: P.args, **kwargs: P.kwargs) -> None:
        self._wrapper(*args, **kwargs)

    def schedule(self, delay_s: float, *args: P.args, **kwargs: P.kwargs) -> None:
        """Enqueue to run no sooner than ``delay_s`` from now."""
        self._wrapper.schedule(args=args, kwargs=kwargs, delay=max(0.0, delay_s))

    def run_here(self, *args: P.args, **kwargs: P.kwargs) -> Any:
        return self._wrapper.call_local(*args, **kwargs)


class _EmbeddedConsumer(Consumer):  # type: ignore[misc]  # huey ships no type hints
    """Huey's consumer on threads inside the server: the server owns the process's signals."""

    def _set_signal_handlers(self) -> None:
        pass


class Jobs(Generic[C]):
    """The task engine of one running kefu (``Kefu.jobs``); every task is a function of ``C``,
    the kefu as its tasks name it (``kefu.jobs.host.Host``)."""

    tasks: KefuTasks  # kefu's own task handles, set by ``kefu.jobs.start_jobs``

    def __init__(
        self,
        settings: Settings,
        state: SharedState,
        dead_letters: SqlDeadLetters,
        huey: Huey | None = None,
    ) -> None:
        self.settings = settings
        self.state = state
        self.dead_letters = dead_letters
        self.huey = huey or make_huey(settings)
        self._kefu: C | None = None
        self._periodic: dict[str, Callable[[C, datetime], object]] = {}
        self._attempts: dict[str, int] = {}
        self._consumer: Consumer | None = None
        self.huey.signal(signals.SIGNAL_ERROR)(self._on_error)

    @property
    def in_process(self) -> bool:
        """Whether the server consumes the tasks itself (the embedded default)."""
        configured = self.settings.jobs_in_process
        return configured if configured is not None else not self.settings.redis_url

    def bind(self, kefu: C) -> None:
        """The kefu every task runs against (set once by ``Kefu.start``)."""
        self._kefu = kefu

    @property
    def kefu(self) -> C:
        if self._kefu is None:
            raise RuntimeError("jobs used before Kefu.start bound them")
        return self._kefu

    # ---- registering -------------------------------------------------------------------------
    def task(
        self,
        name: str,
        fn: Callable[Concatenate[C, P], object],
        retries: Retries | None = None,
        priority: int = 0,
    ) -> Task[P]:
        """Register ``fn(kefu, *args)`` under a stable ``name`` (stored in queued messages)."""
        retries = retries or Retries()
        self._attempts[name] = retries.times + 1

        def run(*args: P.args, **kwargs: P.kwargs) -> object:
            return fn(self.kefu, *args, **kwargs)

        wrapper = self.huey.task(
            retries=retries.times,
            retry_delay=retries.delay_s,
            retry_backoff=retries.backoff,
            priority=priority,
            name=name,
        )(run)
        return Task(name, wrapper)

    def periodic(
        self,
        name: str,
        fn: Callable[[C, datetime], object],
        minute: str = "*",
        hour: str = "*",
    ) -> None:
        """Run ``fn(kefu, now)`` on a cron schedule (minute resolution), once per slot even when
        several consumers run the scheduler."""
        self._periodic[name] = fn
        if not self.settings.jobs_periodic:
            return  # run only on demand (``run_periodic_now``): tests, or a shop's own cron

        def run() -> None:
            now = datetime.now(UTC)
            slot = now.strftime("%Y%m%d%H%M")
            if self.state.set_once(f"jobs:periodic:{name}:{slot}", "1", _PERIODIC_SLOT_TTL_S):
                fn(self.kefu, now)

        self.huey.periodic_task(crontab(minute=minute, hour=hour), name=name)(run)

    @property
    def periodic_names(self) -> list[str]:
        return sorted(self._periodic)

    def run_periodic_now(self, now: datetime) -> dict[str, object]:
        """Every periodic task once, here and now (``kefu jobs``, a cron line, tests)."""
        return {name: fn(self.kefu, now) for name, fn in sorted(self._periodic.items())}

    # ---- dead letters ------------------------------------------------------------------------
    def _on_error(self, signal: str, task: Any, exc: BaseException | None = None) -> None:
        if task.retries:  # Huey will try it again
            return
        name = str(task.name)
        self.record_dead_letter(
            name, list(task.args), repr(exc), self._attempts.get(name, 1), datetime.now(UTC)
        )

    def record_dead_letter(
        self, task: str, args: list[Any], error: str, attempts: int, at: datetime
    ) -> None:
        log.error("task %s%s given up after %d attempts: %s", task, args, attempts, error)
        try:
            self.dead_letters.record(task, args, error, attempts, at)
        except Exception:  # the database is down too: the log line is what is left
            log.exception("could not record the dead letter of %s", task)

    # ---- consuming ---------------------------------------------------------------------------
    def consumer(self, workers: int = 2, embedded: bool = False) -> Consumer:
        """A Huey consumer on threads; ``embedded`` leaves the process's signals alone."""
        options: dict[str, Any] = {
            "workers": workers,
            "worker_type": "thread",
            "periodic": True,
            # an idle SQLite queue is polled at most every half second, so a delivery does not
            # wait for Huey's default 10 s back-off; Redis blocks on the queue instead
            "initial_delay": 0.05,
            "backoff": 1.2,
            "max_delay": 0.5,
            "shutdown_timeout": 10.0,
        }
        if embedded:
            return _EmbeddedConsumer(self.huey, **options)
        return self.huey.create_consumer(**options)

    def start_consumer(self, workers: int = 2) -> None:
        """Consume in this process, on threads (the server's lifespan, tests)."""
        if self._consumer is None:
            self._consumer = self.consumer(workers, embedded=True)
            self._consumer.start()

    def stop_consumer(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            consumer.stop(graceful=True)

    def pending(self) -> int:
        """Tasks waiting in the queue (not counting scheduled retries)."""
        return int(self.huey.pending_count())

    def close(self) -> None:
        self.stop_consumer()
        self.huey.storage.close()
