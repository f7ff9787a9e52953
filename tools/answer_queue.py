"""The answer queue: work a web worker acknowledged and left for the answer workers (FOR UPDATE SKIP
LOCKED on PostgreSQL, as the reminder outbox). An answer is given at most once: a job whose worker died
mid-answer is not run again (it may have posted half an answer, or a proposal) but marked interrupted,
for the next worker to tell the person to ask again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from db.models import AnswerJob
from db.session import Database
from tools.context import Clock

LEASE = timedelta(minutes=5)  # longer than any turn: the model times out well before


@dataclass(frozen=True)
class Job:
    id: int
    function: str
    body: str
    headers: dict[str, Any]


class AnswerQueue:
    def __init__(self, db: Database, clock: Clock, lease: timedelta = LEASE):
        self.db, self.clock, self.lease = db, clock, lease

    def put(self, function: str, body: str, headers: dict[str, Any]) -> int:
        with self.db.session(write=True) as session:
            job = AnswerJob(function=function, body=body, headers=headers, status="pending",
                            created_at=self.clock.now())
            session.add(job)
            session.commit()
            return job.id

    def claim(self, worker: str) -> Job | None:
        """The oldest pending job, now this worker's for the lease."""
        now = self.clock.now()
        with self.db.session(write=True) as session:
            job = session.scalars(select(AnswerJob).where(AnswerJob.status == "pending").order_by(AnswerJob.id)
                                  .limit(1).with_for_update(skip_locked=True)).first()
            if job is None:
                return None
            job.status, job.claimed_by, job.lease_until = "claimed", worker[:80], now + self.lease
            session.commit()
            return Job(job.id, job.function, job.body, dict(job.headers))

    def finish(self, job_id: int, worker: str, error: str | None = None) -> None:
        with self.db.session(write=True) as session:
            session.execute(update(AnswerJob).where(AnswerJob.id == job_id, AnswerJob.claimed_by == worker[:80],
                                                    AnswerJob.status == "claimed")
                            .values(status="done", finished_at=self.clock.now(), error=error and error[:2000]))
            session.commit()

    def interrupted(self) -> list[Job]:
        """Jobs whose worker's lease ran out, marked interrupted (each returned to exactly one caller)."""
        now = self.clock.now()
        with self.db.session(write=True) as session:
            jobs = session.scalars(select(AnswerJob).where(AnswerJob.status == "claimed", AnswerJob.lease_until < now)
                                   .order_by(AnswerJob.id).limit(50).with_for_update(skip_locked=True)).all()
            for job in jobs:
                job.status, job.finished_at = "interrupted", now
            session.commit()
            return [Job(j.id, j.function, j.body, dict(j.headers)) for j in jobs]

    def counts(self) -> dict[str, int]:
        with self.db.session() as session:
            return dict(session.execute(select(AnswerJob.status, func.count()).group_by(AnswerJob.status)).all())
