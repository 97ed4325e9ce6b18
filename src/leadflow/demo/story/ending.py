"""A lead's story up to `now`: what happened before it, the idle rule's tasks where the lead
went two working days untouched, each task settled (done, cancelled or open) and the lead's
state as the story leaves it."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime
from itertools import pairwise

from leadflow.demo.records import ActivityRow, Fate, LeadHistory, LeadState, Rules, TaskRow
from leadflow.demo.story.log import Log, minutes

IDLE_MINUTES = 28 * 60
IDLE_TASKS_LEFT = 0.05
"""Share of the idle rule's tasks an owner leaves open."""


class Ending(Log):
    """The cut at `now`."""

    # --- up to now -----------------------------------------------------------------------------

    def finish(self, ending: Fate) -> LeadHistory:
        now = self.setting.now
        rows = [row for row in self.rows if row.occurred_at <= now]
        moves = [row for row in rows if row.kind == "stage_change"]
        last = moves[-1] if moves else None
        closing = last if last and last.to_stage in ("won", "lost") else None
        closed_at = closing.occurred_at if closing else None
        self.rows = rows
        if not self.lead.bot:  # the virtual consultant gets no tasks
            self._idle_tasks(closed_at)
        rows = self.rows
        tasks = [
            _settle(task, rows, closed_at, now, self.rng)
            for task in self.tasks
            if task.created_at <= now
        ]
        custom = {name: value for at, name, value in self.fields if at <= now}
        treatment = custom.pop("treatment", None)
        contacts = [row.occurred_at for row in rows if row.kind in _CONTACT_KINDS]
        state = LeadState(
            stage=(last.to_stage or "new") if last else "new",
            stage_entered_at=last.occurred_at if last else None,
            closed_at=closed_at,
            lost_reason=closing.lost_reason if closing else None,
            first_contact_at=min(contacts) if contacts else None,
            last_activity_at=max((row.occurred_at for row in rows), default=None),
            treatment=treatment if self.lead.treatment is None else None,
            custom=custom,
        )
        runs = [run for run in self.runs if run.ran_at <= now]
        return LeadHistory(self.lead.id, self.owner, ending, rows, tasks, state, runs)

    def _idle_tasks(self, closed_at: datetime | None) -> None:
        """The idle rule's tasks: wherever the lead, still open, went two working days without
        an activity."""
        assert self.lead.assigned_at is not None
        times = sorted([self.lead.assigned_at, *(row.occurred_at for row in self.rows)])
        for previous, following in pairwise(times):
            idle = self.setting.work.add(self.owner, previous, IDLE_MINUTES)
            if idle < following and (closed_at is None or idle < closed_at):
                self._idle_task(previous, idle)
        if closed_at is not None:
            return
        if self.rows:
            self._follow_up_idle(times[-1])
            return
        idle = self.setting.work.add(self.owner, times[-1], IDLE_MINUTES)
        if idle < self.setting.now:
            self._idle_task(times[-1], idle)  # nobody works a lead nobody touched

    def _follow_up_idle(self, last: datetime) -> None:
        """Since the last activity: most owners answer the idle rule's task with a message
        (which may go unanswered, and the rule fires again); some leave it open."""
        now = self.setting.now
        while (idle := self.setting.work.add(self.owner, last, IDLE_MINUTES)) < now:
            due = self._idle_task(last, idle)
            last = self._working(due + minutes(self.rng.uniform(-50, 240)))
            if last > now or self.rng.random() < IDLE_TASKS_LEFT:
                return
            self._add("message", last, direction="outbound", channel="whatsapp")

    def _idle_task(self, last: datetime, idle: datetime) -> datetime:
        due = self.setting.work.add(self.owner, idle, 60)
        title = "Follow up — no activity for two working days"
        self._task(title, "follow_up", idle, due, rule=Rules.IDLE)
        # The sweep's event key: idle since the last activity, or since arrival if none.
        since = self.lead.received_at if last == self.lead.assigned_at else last
        self._ran(Rules.IDLE, idle, key=f"idle:{self.lead.id}:{since.isoformat()}")
        return due


_CONTACT_KINDS = frozenset({"call_attempt", "call", "message", "email"})
_WORK_KINDS = frozenset({"call_attempt", "call", "message", "email"})


def _settle(
    task: TaskRow,
    rows: list[ActivityRow],
    closed_at: datetime | None,
    now: datetime,
    rng: random.Random,
) -> TaskRow:
    """Done at the owner's next call or e-mail after it was set; cancelled when the lead closed
    first; open otherwise (overdue once its due time has passed)."""
    if task.lasts_past_close:
        done = max(task.due_at + minutes(rng.uniform(-600, 120)), task.created_at + minutes(5))
        return replace(task, status="done", completed_at=done) if done <= now else task
    done_at = next(
        (
            row.occurred_at
            for row in rows
            if row.kind in _WORK_KINDS
            and row.actor_kind == "user"
            and row.occurred_at > task.created_at
        ),
        None,
    )
    if closed_at is not None and (done_at is None or closed_at < done_at):
        return replace(task, status="cancelled", completed_at=max(closed_at, task.created_at))
    if done_at is not None:
        return replace(task, status="done", completed_at=done_at)
    return task
