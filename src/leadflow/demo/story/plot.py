"""What happens to a lead: the virtual consultant's chat, the attempts that never reach the
patient, or the contact, the stages it goes through and how it ends (won, or lost with a
reason)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from leadflow.demo.phrases import PRICES, budget_range
from leadflow.demo.records import ActivityRow, Fate, Rules
from leadflow.demo.story.log import CLINIC_ZONE, Log, minutes

ANSWER_RATE = 0.55
"""Share of call attempts the patient answers."""
WHATSAPP_FIRST = 0.35
"""Share of reached patients first reached on WhatsApp (the owner then marks them contacted)."""
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


class Plot(Log):
    """The story's steps, each written down through `Log`."""

    # --- what happens --------------------------------------------------------------------------

    def bot_chat(self) -> None:
        """The virtual consultant greets the patient on WhatsApp; some answer."""
        self._add(
            "message",
            self.clock + minutes(1),
            actor_kind="bot",
            actor=self.owner,
            direction="outbound",
            channel="whatsapp",
        )
        if self.rng.random() < 0.5:
            self._inbound_message(self.clock + minutes(self.rng.uniform(3, 600)))

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
        replied = self.clock + minutes(self.rng.uniform(3, 300))
        self._inbound_message(replied)
        self.clock = self._working(replied + minutes(self.rng.uniform(1, 30)))
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
                self._inbound_message(at + minutes(self.rng.uniform(2, 240)), channel)


def _failures(rng: random.Random) -> int:
    """Unanswered attempts before the first answered call, at ANSWER_RATE per attempt."""
    count = 0
    while rng.random() >= ANSWER_RATE:
        count += 1
    return count


def _ended(row: ActivityRow) -> datetime:
    return row.ended_at or row.occurred_at


def _month_of(moment: datetime) -> str:
    day: date = moment.astimezone(CLINIC_ZONE).date()
    return f"{day:%Y-%m}"
