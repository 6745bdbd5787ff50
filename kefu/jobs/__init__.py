"""Background work on an established task queue (Huey): deliveries, recovery of inbound channel
messages, the desk's SLA escalation and reassignment, and whatever other parts add.

Where tasks run:

- embedded default (no ``KEFU_REDIS_URL``): a ``SqliteHuey`` file ``jobs.db`` in ``KEFU_DATA_DIR``,
  consumed by threads the server starts in its lifespan (``make run`` needs nothing more);
- production: ``PriorityRedisHuey`` on ``KEFU_REDIS_URL``, consumed by ``kefu worker`` processes on
  any number of machines (``KEFU_JOBS_IN_PROCESS=1`` makes the servers consume too).

Tasks that run out of retries are recorded in ``job_dead_letters``: ``kefu jobs dead-letters``.

How to add a task (the core stays free of Huey; only this package imports it):

1. Write the work as a plain function whose first argument is the running kefu, typed by what it
   uses of it (a protocol such as ``kefu.jobs.host.Host``, which ``kefu.wiring.Kefu`` satisfies;
   the job engine is below the composition root and never imports it)::

       def dispatch_due(kefu: Host, now: datetime) -> int: ...       # periodic
       def send_notice(kefu: Host, notice_id: str) -> None: ...      # on demand

2. Register it in ``kefu/jobs/tasks.py`` (``register_kefu_tasks``) under a stable name, which is
   what queued messages carry::

       jobs.periodic("notices.dispatch_due", dispatch_due)           # every minute
       jobs.periodic("retention.purge", purge, minute="30", hour="3")  # cron fields
       send_notice=jobs.task("notices.send", send_notice, Retries(times=5, delay_s=10))

   and, for an on-demand task, add its typed handle to ``KefuTasks``
   (``send_notice: Task[[str]]``).

3. Enqueue it from anywhere that holds the kefu: ``kefu.jobs.tasks.send_notice.enqueue(id)`` or
   ``.schedule(delay_s, id)``. Arguments must pickle (ids and plain values, not objects).

A periodic task runs once per minute slot however many consumers run the scheduler; a task may run
more than once (a worker can die after the work and before Huey hears of it), so make it
idempotent: look at the database before acting.
"""

from __future__ import annotations

from kefu.config import Settings
from kefu.jobs.engine import Jobs, Retries, Task, make_huey
from kefu.jobs.host import Host
from kefu.jobs.tasks import KefuTasks, register_kefu_tasks
from kefu.runtime.shared import SharedState
from kefu.store.db import Database
from kefu.store.jobs_repo import SqlDeadLetters

__all__ = ["Host", "Jobs", "KefuTasks", "Retries", "Task", "make_huey", "start_jobs"]


def start_jobs(settings: Settings, state: SharedState, db: Database) -> Jobs[Host]:
    """The job engine with kefu's tasks registered (consumers start separately)."""
    jobs: Jobs[Host] = Jobs(settings, state, SqlDeadLetters(db))
    jobs.tasks = register_kefu_tasks(jobs)
    return jobs
