"""The service every front end calls: run a read, propose a write, confirm or cancel it.

A write never runs straight from a request. `propose` resolves its arguments for the requester (see
`tools.registry.resolves`), dry-runs them (the whole tool, rolled back) so the confirmation shows
exactly what will happen and refuses early what would fail, then stores those resolved arguments and
the tool's own summary of them in a PendingAction. `confirm` runs exactly the stored arguments, whoever
confirms, and once: the pending row is locked in the same transaction as the tool's writes, so a
double click or a Slack retry finds it done."""

from __future__ import annotations

import copy
import uuid
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from core.alerts import AlertThresholds
from core.errors import Conflict, InvalidInput, NotAllowed, NotFound, TallyError
from core.roles import SUPERVISES, Role
from db.models import DocumentRead, Member, PendingAction
from db.session import Database
from tools.context import REFS_KEPT, Actor, Clock, FixedClock, Rules, SystemClock, ToolContext, View
from tools.dunning_policy import Policy
from tools.member_cache import Known, member_cache
from tools.messages import argument_problems, refusal
from tools.proposals import Outcome, PendingView, Proposal
from tools.registry import REGISTRY, ToolSpec, get
from tools.services import Services


def invalid_arguments(exc: ValidationError) -> InvalidInput:
    """A pydantic error as a person (or the model) can act on it; `fields` keeps which argument was wrong."""
    problems = argument_problems(exc.errors())
    return InvalidInput(" ".join(dict.fromkeys(problems.values())), fields=problems)


class Tally(Services):
    def __init__(self, db: Database, rules: Rules | None = None, clock: Clock | None = None,
                 pending_ttl: timedelta = timedelta(hours=24), surface: str | None = "slack",
                 policy: Policy | None = None, alert_thresholds: AlertThresholds | None = None):
        self.db = db
        self.rules = rules or Rules()
        self.clock = clock or SystemClock()
        self.pending_ttl = pending_ttl
        self.policy = policy or Policy()  # the dunning stages and working hours the outbox follows
        self.alert_thresholds = alert_thresholds or AlertThresholds()
        # The front end whose requests this serves, as the read log names it; None logs no reads (a
        # service set to another moment, computing figures to compare with).
        self.surface = surface

    def via(self, surface: str) -> Tally:
        """The same service for requests through another front end (console, /tally, App Home, digest)."""
        other = copy.copy(self)
        other.surface = surface
        return other

    def as_of(self, moment: datetime) -> Tally:
        """The same service with its clock stopped at `moment` (last week's figures, to compare with); its
        reads are not logged, as nobody views them as of then."""
        other = copy.copy(self)
        other.clock, other.surface = FixedClock(moment), None
        return other

    def __deepcopy__(self, memo: dict) -> object:
        """A shared service: Bolt copies each request for lazy listeners, and this must stay one object."""
        return self

    # who is asking
    def actor_for(self, slack_user_id: str) -> Actor | None:
        """Asked by every Slack request before its ack: from a short-lived cache (tools.member_cache)."""
        known = member_cache(self.db).get(slack_user_id, self._load_member)
        if known is None:
            return None
        return Actor(slack_user_id, Role(known.role), known.name, known.timezone or self.rules.timezone)

    def _load_member(self, slack_user_id: str) -> Known | None:
        with self.db.session() as session:
            member = session.get(Member, slack_user_id)
            if member is None or not member.active:
                return None
            return Known(member.role, member.name, member.timezone)

    def _context(self, actor: Actor, session: Any, requester: str | None = None) -> ToolContext:
        calendar = None
        if requester and requester != actor.user_id and (member := session.get(Member, requester)) is not None:
            calendar = member.timezone or self.rules.timezone
        return ToolContext(actor=actor, session=session, clock=self.clock, rules=self.rules, requester=requester,
                           confirming=requester is not None, calendar=calendar, surface=self.surface or "")

    def parse_args(self, spec: ToolSpec, ctx: ToolContext, args: dict | BaseModel) -> BaseModel:
        if isinstance(args, spec.args_model):
            return args
        raw = args.model_dump() if isinstance(args, BaseModel) else args
        try:
            return spec.args_model.model_validate(raw, context={
                "today": ctx.today, "now_local": ctx.now.astimezone(ctx.actor.tz), "stored": ctx.confirming})
        except ValidationError as exc:
            raise invalid_arguments(exc) from None

    @staticmethod
    def authorize(spec: ToolSpec, actor: Actor) -> None:
        if actor.role not in spec.roles:
            raise NotAllowed(refusal(spec.name, actor.role, spec.roles))

    # reads
    def read(self, actor: Actor, name: str, args: dict | BaseModel) -> BaseModel:
        spec = get(name)
        if spec.is_write:
            raise Conflict(f"{name} changes data; propose it and confirm.")
        self.authorize(spec, actor)
        with self.db.session() as session:
            ctx = self._context(actor, session)
            try:
                result = spec.func(ctx, self.parse_args(spec, ctx, args))
            except NotFound:
                if ctx.view is not None and ctx.view.asked is not None and self.surface is not None:
                    self._log_read(ctx, spec.name, ctx.view)
                raise
        if ctx.view is not None and self.surface is not None:
            self._log_read(ctx, spec.name, ctx.view)
        return result

    # writes
    def propose(self, actor: Actor, name: str, args: dict | BaseModel, thread_key: str | None = None,
                request_key: str | None = None, pending_id: str | None = None) -> Proposal:
        """`request_key` names the human request behind it (a modal's view id): the same request proposed
        again, also in parallel, gets the first proposal back, so confirming it cannot run the tool twice."""
        spec = get(name)
        if not spec.is_write:
            raise Conflict(f"{name} only reads; run it directly.")
        self.authorize(spec, actor)
        if request_key is not None and (earlier := self._proposed_for(actor, request_key)) is not None:
            return earlier
        with self.db.session(write=True) as session:
            ctx = self._context(actor, session)
            parsed = self.parse_args(spec, ctx, args)
            if spec.resolve is not None:  # defaults filled in for the requester, now: stored as they will run
                parsed = spec.resolve(ctx, parsed)
            preview = spec.func(ctx, parsed)  # a dry run: rolled back when the block ends
        summary = preview.describe(done=False)
        now = self.clock.now()
        pending = PendingAction(
            id=pending_id or str(uuid.uuid4()), tool=name, args=parsed.model_dump(mode="json"), summary=summary,
            requested_by=actor.user_id, status="pending", thread_key=thread_key, request_key=request_key,
            created_at=now, expires_at=now + self.pending_ttl,
        )
        with self.db.session(write=True) as session:
            session.add(pending)
            try:
                session.commit()
            except IntegrityError:
                if request_key is None:
                    raise
                session.rollback()  # a parallel repeat of the same request stored its proposal first
                return self._proposed_for(actor, request_key)
        return Proposal(pending.id, name, summary, actor.user_id, preview)

    def run_now(self, actor: Actor, name: str, args: dict, key: str | None = None) -> Outcome:
        """A write whose click is itself the confirmation (snooze, a reminder's buttons, a form's submit),
        done once per `key`: a double click or a Slack retry with the same key gets the first click's
        outcome, not a second write."""
        pending_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"tally:{key}") if key else uuid.uuid4())
        if self.pending(pending_id) is None:
            try:
                self.propose(actor, name, args, pending_id=pending_id)
            except IntegrityError:  # a concurrent click proposed it first; its confirmation decides
                pass
        return self.confirm(actor, pending_id)

    def confirm(self, actor: Actor, pending_id: str) -> Outcome:
        with self.db.session(write=True) as session:
            pending = self._locked(session, pending_id)
            self._may_decide(actor, pending)  # before anything about it is shown, decided or not
            if pending.status != "pending":
                return self._decided(pending)
            now = self.clock.now()
            if pending.expires_at <= now:
                pending.status, pending.decided_at = "expired", now
                session.commit()
                return Outcome(pending.id, pending.tool, "expired", pending.summary,
                               error="This request expired; ask again.")
            spec = REGISTRY[pending.tool]
            self.authorize(spec, actor)
            ctx = self._context(actor, session, requester=pending.requested_by)
            try:
                result = spec.func(ctx, self.parse_args(spec, ctx, pending.args))
                session.flush()
            except TallyError as exc:
                session.rollback()
                error = str(exc)
            else:
                self._finish(pending, "done", actor, result=result.model_dump(mode="json"))
                session.commit()
                return Outcome(pending.id, pending.tool, "done", result.describe(done=True), result,
                               decided_by=actor.user_id, decided_at=pending.decided_at)
        # The tool's writes are gone; record the failure on its own so a retry reports it, not re-runs it.
        with self.db.session(write=True) as session:
            pending = self._locked(session, pending_id)
            if pending.status == "pending":
                self._finish(pending, "failed", actor, error=error)
                session.commit()
        return Outcome(pending_id, pending.tool, "failed", pending.summary, error=error, decided_by=actor.user_id,
                       decided_at=pending.decided_at)  # the moment stored, not a second reading

    def cancel(self, actor: Actor, pending_id: str) -> Outcome:
        with self.db.session(write=True) as session:
            pending = self._locked(session, pending_id)
            self._may_decide(actor, pending)  # before anything about it is shown, decided or not
            if pending.status != "pending":
                return self._decided(pending)
            self._finish(pending, "cancelled", actor)
            session.commit()
            return Outcome(pending.id, pending.tool, "cancelled", pending.summary, decided_by=actor.user_id,
                           decided_at=pending.decided_at)

    def replace_pending(self, actor: Actor, thread_key: str, tool: str, keep: str) -> list[Outcome]:
        """"No, make it 12": the person's earlier proposals of the same kind in this thread are cancelled,
        so only the newest one (`keep`) can be confirmed."""
        with self.db.session(write=True) as session:
            earlier = session.scalars(select(PendingAction).where(
                PendingAction.thread_key == thread_key, PendingAction.tool == tool, PendingAction.id != keep,
                PendingAction.requested_by == actor.user_id, PendingAction.status == "pending")
                .with_for_update()).all()
            for pending in earlier:
                self._finish(pending, "cancelled", actor, error="Replaced by a newer proposal.")
            session.commit()
            return [Outcome(p.id, p.tool, "cancelled", p.summary, error=p.error, decided_by=actor.user_id,
                            decided_at=p.decided_at) for p in earlier]

    def pending(self, pending_id: str) -> PendingView | None:
        with self.db.session() as session:
            p = session.get(PendingAction, pending_id)
            return None if p is None else PendingView(p.id, p.tool, dict(p.args), p.summary, p.requested_by,
                                                      p.status, p.thread_key, p.expires_at)

    def expire_pending(self) -> int:
        now = self.clock.now()
        with self.db.session(write=True) as session:
            count = session.execute(
                update(PendingAction).where(PendingAction.status == "pending", PendingAction.expires_at <= now)
                .values(status="expired", decided_at=now)
            ).rowcount
            session.commit()
            return count

    # internals
    def _log_read(self, ctx: ToolContext, tool: str, view: View) -> None:
        """One row per read, in its own short transaction right after the read: a read transaction that
        turns into a write would queue behind (SQLite) or fail against a writer that came in between."""
        with self.db.session(write=True) as session:
            session.add(DocumentRead(
                at=ctx.now, day=ctx.now.astimezone(ctx.actor.tz).date(), user_id=ctx.actor.user_id,
                surface=ctx.surface[:20], tool=tool, kind=view.kind, ref=(view.ref or "")[:64] or None,
                count=len(view.refs), refs=list(view.refs[:REFS_KEPT]) if view.ref is None and view.refs else None))
            session.commit()

    def _proposed_for(self, actor: Actor, request_key: str) -> Proposal | None:
        with self.db.session() as session:
            pending = session.scalar(select(PendingAction).where(PendingAction.request_key == request_key))
        if pending is None:
            return None
        self._may_decide(actor, pending)
        return Proposal(pending.id, pending.tool, pending.summary, pending.requested_by, None)

    def _locked(self, session: Any, pending_id: str) -> PendingAction:
        pending = session.scalar(select(PendingAction).where(PendingAction.id == pending_id)
                                 .with_for_update().execution_options(populate_existing=True))
        if pending is None:
            raise NotFound("That request is no longer known.", hint="Ask again.")
        return pending

    @staticmethod
    def _may_decide(actor: Actor, pending: PendingAction) -> None:
        if actor.user_id != pending.requested_by and actor.role not in SUPERVISES:
            # Nothing about the request (what, for whom, whether it was decided) goes to someone else.
            raise NotAllowed("This request is not yours to confirm or cancel.",
                             hint="Only the person who asked, or a manager, can.")

    def _finish(self, pending: PendingAction, status: str, actor: Actor, *, result: dict | None = None,
                error: str | None = None) -> None:
        pending.status, pending.result, pending.error = status, result, error
        pending.decided_by, pending.decided_at = actor.user_id, self.clock.now()

    def _decided(self, pending: PendingAction) -> Outcome:
        result = None
        if pending.result is not None:
            result = REGISTRY[pending.tool].result_model.model_validate(pending.result)
        summary = result.describe(done=True) if result is not None else pending.summary
        return Outcome(pending.id, pending.tool, pending.status, summary, result, pending.error,
                       already=True, decided_by=pending.decided_by, decided_at=pending.decided_at)
