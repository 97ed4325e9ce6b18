"""A lead's story as rows: the clock in the owner's working time, and the activities, stage
moves, field values, tasks and automation runs as the story records them (each as the services
would have written it)."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from leadflow.demo.phrases import PATIENT_ZONES, csat_comment
from leadflow.demo.records import ActivityRow, LeadFacts, Rules, RunRow, Setting, TaskRow

FAILED_OUTCOMES = (("no_answer", 0.6), ("busy", 0.15), ("voicemail", 0.25))
INBOUND_CALLS = 0.15
CSAT_RESPONSE = 0.22
"""Share of answered calls whose post-call survey the patient answers."""
CSAT_SCORES = (0.05, 0.07, 0.13, 0.30, 0.45)
CLINIC_ZONE = ZoneInfo("Europe/Istanbul")


class Log:
    """One lead's story as it is written down: its clock and its rows."""

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
        return at if placed == at else placed + minutes(self.rng.uniform(1, 25))

    def _wait(self, low_minutes: float, high_minutes: float) -> datetime:
        self.clock = self._working(
            self.clock + minutes(self.rng.uniform(low_minutes, high_minutes))
        )
        return self.clock

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
                ended + minutes(self.rng.uniform(2, 180)),
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


def minutes(value: float) -> timedelta:
    return timedelta(minutes=value)
