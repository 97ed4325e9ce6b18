"""One lead's story as it unfolds: the owner's attempts and calls, the chat between the steps,
the stage changes (by the owner or by the demo's automations), tasks, and the cut at `now`."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from leadflow.demo.phrases import PATIENT_ZONES, PRICES, budget_range, csat_comment
from leadflow.demo.records import (
    ActivityRow,
    Fate,
    LeadFacts,
    LeadHistory,
    LeadState,
    Rules,
    RunRow,
    Setting,
    TaskRow,
)

ANSWER_RATE = 0.55
"""Share of call attempts the patient answers."""
FAILED_OUTCOMES = (("no_answer", 0.6), ("busy", 0.15), ("voicemail", 0.25))
INBOUND_CALLS = 0.15
WHATSAPP_FIRST = 0.35
"""Share of reached patients first reached on WhatsApp (the owner then marks them contacted)."""
CSAT_RESPONSE = 0.22
"""Share of answered calls whose post-call survey the patient answers."""
CSAT_SCORES = (0.05, 0.07, 0.13, 0.30, 0.45)
PACE = 0.15
"""Maven's engage-to-close days are B2B deals (median 57 days won, 14 lost); a patient books
and travels in about a week or two: 0.15 of them."""
STAGE_PATH = ("qualified", "offer_sent", "booked")
STOP_WEIGHTS = (0.40, 0.30, 0.22, 0.08)
"""Where a lost lead stops: Contacted, Qualified, Offer sent, Booked."""
LOST_REASONS = {
    "contacted": (("no_reply", 4), ("medical_not_eligible", 2), ("duplicate", 1), ("other", 1)),
    "qualified": (("price", 4), ("medical_not_eligible", 3), ("chose_another_clinic", 2)),
    "offer_sent": (("price", 5), ("chose_another_clinic", 4), ("no_reply", 3), ("other", 1)),
    "booked": (("chose_another_clinic", 3), ("medical_not_eligible", 1), ("other", 2)),
}
FAILED_ATTEMPTS_RULE = (6, timedelta(days=3))
IDLE_MINUTES = 28 * 60
IDLE_TASKS_LEFT = 0.05
"""Share of the idle rule's tasks an owner leaves open."""
CLINIC_ZONE = ZoneInfo("Europe/Istanbul")


class Story:
    def __init__(
        self,
        lead: LeadFacts,
        owner: str,
        start: datetime,
        setting: Setting,
        rng: random.Random,
    ) -> None:
        self.lead, self.owner, self.setting, self.rng = lead, owner, setting, rng
        self.clock = start
        self.rows: list[ActivityRow] = []
        self.tasks: list[TaskRow] = []
        self.runs: list[RunRow] = []
        self.fields: list[tuple[datetime, str, Any]] = []
        self.stage = "new"
        self.zone = PATIENT_ZONES.get(lead.country or "")
        self.person = setting.actors.get(owner, owner)

    # --- the clock -----------------------------------------------------------------------------

    def _working(self, at: datetime) -> datetime:
        """`at`, or a few minutes into the owner's next working span."""
        placed = self.setting.work.at_or_after(self.owner, at)
        return at if placed == at else placed + _minutes(self.rng.uniform(1, 25))

    def _wait(self, low_minutes: float, high_minutes: float) -> datetime:
        self.clock = self._working(
            self.clock + _minutes(self.rng.uniform(low_minutes, high_minutes))
        )
        return self.clock

    # --- what happens --------------------------------------------------------------------------

    def bot_chat(self) -> None:
        """The virtual consultant greets the patient on WhatsApp; some answer."""
        self._add(
            "message",
            self.clock + _minutes(1),
            actor_kind="bot",
            actor=self.owner,
            direction="outbound",
            channel="whatsapp",
        )
        if self.rng.random() < 0.5:
            self._inbound_message(self.clock + _minutes(self.rng.uniform(3, 600)))

    def unreachable(self) -> None:
        """Six attempts over about three days; none answered. When they fit in the rule's three
        days, the automation closes the lead as unreachable and leaves a last follow-up."""
        times = []
        self._wait(1, 30)
        for _ in range(FAILED_ATTEMPTS_RULE[0]):
            times.append(self._attempt().occurred_at)
            self._wait(120, 600)
        within = FAILED_ATTEMPTS_RULE[1]
        if times[-1] - times[0] > within:
            return
        at = times[-1] + timedelta(seconds=1)
        self._move("lost", at, rule=Rules.UNREACHABLE, lost_reason="unreachable")
        self._ran(Rules.UNREACHABLE, at, key=f"attempts:{self.lead.id}")
        self._task(
            "Last follow-up",
            "follow_up",
            at,
            self.setting.work.add(self.owner, at, 1440),
            rule=Rules.UNREACHABLE,
            lasts_past_close=True,
        )

    def reached(self, ending: Fate) -> None:
        self._wait(1, 30)
        if self.rng.random() < WHATSAPP_FIRST:
            self._whatsapp_first()
        else:
            self._call_first()
        funnel = self.setting.samples.funnel
        days = self.rng.choice(funnel.won_days if ending is Fate.WON else funnel.lost_days)
        span = timedelta(days=max(days * PACE, 0.5))
        start = self.clock
        end = self._working(start + span)
        steps = 3 if ending is Fate.WON else self.rng.choices(range(4), STOP_WEIGHTS)[0]
        marks = sorted(self.rng.uniform(0.1, 0.9) for _ in range(steps))
        for stage, mark in zip(STAGE_PATH, marks, strict=False):
            self._chat_until(start + span * mark)
            self.clock = max(self.clock, self._working(start + span * mark))
            self._enter(stage, close_at=end)
        self._chat_until(end)
        self.clock = max(self.clock, end)
        if ending is Fate.WON:
            self._note("Treatment done; the patient flew home.", "treatment")
            self._move("won", self.clock + timedelta(seconds=1))
        else:
            reasons = LOST_REASONS[self.stage]
            reason = self.rng.choices([r for r, _ in reasons], [w for _, w in reasons])[0]
            self._wait(0, 60)
            self._move("lost", self.clock, lost_reason=reason)

    def _call_first(self) -> None:
        """Attempts until the patient answers; the first answered call moves the lead (the
        automation)."""
        for _ in range(min(_failures(self.rng), FAILED_ATTEMPTS_RULE[0] - 1)):
            self._attempt()
            self._wait(45, 360)
        first = self._call()
        self._move("contacted", _ended(first), rule=Rules.FIRST_ANSWERED_CALL)
        self._ran(Rules.FIRST_ANSWERED_CALL, _ended(first), ref=first.ref)

    def _whatsapp_first(self) -> None:
        """The owner writes first; the patient answers and the owner moves the lead."""
        self._add("message", self.clock, direction="outbound", channel="whatsapp")
        replied = self.clock + _minutes(self.rng.uniform(3, 300))
        self._inbound_message(replied)
        self.clock = self._working(replied + _minutes(self.rng.uniform(1, 30)))
        self._move("contacted", self.clock)

    def _enter(self, stage: str, close_at: datetime) -> None:
        if stage == "qualified":
            self._call()
            treatment = self.lead.treatment or self.rng.choice(list(PRICES))
            budget = self.lead.budget or self.rng.uniform(*PRICES[treatment])
            travel = _month_of(close_at + timedelta(days=self.rng.choice((0, 0, 14, 30))))
            at = self.clock
            self._set(at, "treatment", treatment)
            self._set(at, "budget_range", budget_range(float(budget)))
            self._set(at, "travel_month", travel)
            self._move("qualified", at + timedelta(seconds=1))
        elif stage == "offer_sent":
            self._offer()
        else:
            self._call()
            low, high = PRICES.get(self._treatment(), (2000, 6000))
            at = self.clock
            booked_for = close_at.astimezone(CLINIC_ZONE).date()
            self._set(at, "booking_date", booked_for.isoformat())
            self._set(at, "price", round(self.rng.uniform(low, high), -1))
            self._move("booked", at + timedelta(seconds=1))

    def _offer(self) -> None:
        """The offer goes by e-mail or is noted (sent on WhatsApp); the automation moves it."""
        at = self._wait(5, 120)
        if self.rng.random() < 0.7:
            trigger = self._add(
                "email",
                at,
                direction="outbound",
                detail={"type": "offer", "text": "Your personal treatment offer"},
            )
            rule = Rules.OFFER_EMAIL
        else:
            trigger = self._note("Offer sent on WhatsApp (PDF).", "offer")
            rule = Rules.OFFER_NOTE
        self._move("offer_sent", at, rule=rule)
        self._ran(rule, at, ref=trigger.ref)
        due = self.setting.work.add(self.owner, at, 2 * 8 * 60)
        self._task("Follow up on the offer", "follow_up", at, due)

    def _chat_until(self, end: datetime) -> None:
        """A few messages and e-mails between two steps, the patient answering some."""
        if end <= self.clock:
            return
        touches = self.rng.randint(1, 4)
        gap = (end - self.clock) / (touches + 1)
        for _ in range(touches):
            at = self._working(self.clock + gap * self.rng.uniform(0.6, 1.4))
            if at >= end:
                break
            self.clock = at
            channel = self.rng.choices(("whatsapp", "sms", "email"), (0.75, 0.1, 0.15))[0]
            if channel == "email":
                answer = {"text": "Answers to your questions"}
                self._add("email", at, direction="outbound", detail=answer)
            else:
                self._add("message", at, direction="outbound", channel=channel)
            if self.rng.random() < 0.6:
                self._inbound_message(at + _minutes(self.rng.uniform(2, 240)), channel)

    # --- rows ----------------------------------------------------------------------------------

    def _add(self, kind: str, at: datetime, **values: Any) -> ActivityRow:
        values.setdefault("actor", self.person)
        row = ActivityRow(len(self.rows), kind, at, self.owner, **values)
        self.rows.append(row)
        return row

    def _inbound_message(self, at: datetime, channel: str = "whatsapp") -> None:
        channel = "whatsapp" if channel == "email" else channel
        self._add(
            "message",
            at,
            actor_kind="integration",
            actor=channel,
            direction="inbound",
            channel=channel,
        )

    def _attempt(self) -> ActivityRow:
        outcomes = FAILED_OUTCOMES
        outcome = self.rng.choices([o for o, _ in outcomes], [w for _, w in outcomes])[0]
        ring = 3 if outcome == "busy" else self.rng.choice(self.setting.samples.abandoned_wait_s)
        ring += self.rng.randint(15, 40) if outcome == "voicemail" else 0
        row = self._add(
            "call_attempt",
            self.clock,
            direction="outbound",
            outcome=outcome,
            ended_at=self.clock + timedelta(seconds=ring),
            duration_s=ring,
            wait_s=ring,
        )
        if self.rng.random() < 0.35:
            self._callback(self.clock + timedelta(seconds=ring))
        return row

    def _call(self) -> ActivityRow:
        """An answered call; talk and waiting seconds from one real call of the log."""
        sample = self.rng.choice(self.setting.samples.served)
        inbound = self.rng.random() < INBOUND_CALLS
        wait = sample.queue_s if inbound else sample.vru_s
        start = self.clock
        answered = start + timedelta(seconds=wait)
        ended = answered + timedelta(seconds=sample.talk_s)
        row = self._add(
            "call",
            start,
            direction="inbound" if inbound else "outbound",
            outcome="answered",
            answered_at=answered,
            ended_at=ended,
            duration_s=wait + sample.talk_s,
            talk_s=sample.talk_s,
            wait_s=wait,
        )
        self.clock = ended
        if self.rng.random() < CSAT_RESPONSE:
            score = self.rng.choices(range(1, 6), CSAT_SCORES)[0]
            comment = csat_comment(self.lead.language, score) if self.rng.random() < 0.5 else ""
            self._add(
                "csat",
                ended + _minutes(self.rng.uniform(2, 180)),
                actor_kind="integration",
                actor="survey",
                score=score,
                rates_ref=row.ref,
                detail={"comment": comment} if comment else {},
            )
        return row

    def _note(self, text: str, note_type: str) -> ActivityRow:
        return self._add("note", self.clock, detail={"type": note_type, "text": text})

    def _move(
        self, stage: str, at: datetime, *, rule: Rules | None = None, lost_reason: str | None = None
    ) -> None:
        """As services/workflow/stages records a move: who in the columns and in `detail`."""
        actor_kind, actor = ("automation", rule.value) if rule else ("user", self.person)
        self._add(
            "stage_change",
            at,
            actor_kind=actor_kind,
            actor=actor,
            rule_key=rule.value if rule else None,
            config_version_id=self.setting.config_version_id,
            from_stage=self.stage,
            to_stage=stage,
            lost_reason=lost_reason,
            detail={"from": self.stage, "to": stage, "by": actor},
        )
        self.stage = stage

    def _ran(
        self, rule: Rules, at: datetime, *, ref: int | None = None, key: str | None = None
    ) -> None:
        """The rule acted on an event: the activity `ref` logged, or the event `key`."""
        self.runs.append(RunRow(rule.value, at, ref, key))

    def _set(self, at: datetime, name: str, value: Any) -> None:
        self.fields.append((at, name, value))

    def _treatment(self) -> str:
        chosen = [value for _, name, value in self.fields if name == "treatment"]
        return chosen[-1] if chosen else self.lead.treatment or "hair_transplant"

    def _callback(self, at: datetime) -> None:
        """A callback at 18:00 the next day in the patient's own zone (or the clinic's)."""
        zone = ZoneInfo(self.zone) if self.zone else CLINIC_ZONE
        day = (at.astimezone(zone) + timedelta(days=1)).date()
        due = datetime.combine(day, time(18), zone).astimezone(at.tzinfo)
        self._task("Call back", "callback", at, due)

    def _task(
        self,
        title: str,
        kind: str,
        at: datetime,
        due: datetime,
        *,
        rule: Rules | None = None,
        lasts_past_close: bool = False,
    ) -> None:
        self.tasks.append(
            TaskRow(
                title,
                kind,
                at,
                due,
                self.zone,
                rule.value if rule else self.person,
                rule_key=rule.value if rule else None,
                config_version_id=self.setting.config_version_id if rule else None,
                lasts_past_close=lasts_past_close,
            )
        )

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
            last = self._working(due + _minutes(self.rng.uniform(-50, 240)))
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
        done = max(task.due_at + _minutes(rng.uniform(-600, 120)), task.created_at + _minutes(5))
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


def _failures(rng: random.Random) -> int:
    """Unanswered attempts before the first answered call, at ANSWER_RATE per attempt."""
    count = 0
    while rng.random() >= ANSWER_RATE:
        count += 1
    return count


def _ended(row: ActivityRow) -> datetime:
    return row.ended_at or row.occurred_at


def _minutes(value: float) -> timedelta:
    return timedelta(minutes=value)


def _month_of(moment: datetime) -> str:
    day: date = moment.astimezone(CLINIC_ZONE).date()
    return f"{day:%Y-%m}"
