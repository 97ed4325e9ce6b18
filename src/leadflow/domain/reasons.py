"""A reason as the pure core gives it: a stable code and its parameters, no words.

The engine and the calendar say *why* with a `Reason`; the shells (pages, API, CLI, e-mails)
put it into words in the reader's language with `render`, which looks the code's English
template up in the gettext catalog. Words are built only when someone reads them, which also
keeps them out of the engine's hot loop.

A parameter is a name or a number, shown as it is, or another `Reason`, rendered in the same
language. Some codes are not sentences but values that every language writes its own way:
`date` (`iso`: a local date; `year` when the year is shown), `moment` (`iso`: an aware
instant, `zone`: an IANA zone) and `holiday` (`name`, and for a national one its `date` and
`countries`: "TR,DE-BY"); `term` (`kind`, `value`: a configuration's code, such as a
strategy, which English shows as it is written in the configuration and other languages as
words, `TERMS`); and `text` (`text`) is words written before reasons had codes (old stored
traces), shown as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol, Union
from zoneinfo import ZoneInfo

from leadflow.domain.handovers import HANDOVER_TEMPLATES, TASK_TITLES

Param = Union[str, int, float, "Reason"]


def N_(message: str) -> str:
    """Mark a template for extraction into the catalog; it is translated where it is shown."""
    return message


class Reason:
    """Why, as a code and its parameters (see the module's docstring)."""

    __slots__ = ("code", "params")

    def __init__(self, code: str, params: dict[str, Param] | None = None) -> None:
        self.code = code
        self.params: dict[str, Param] = {} if params is None else params

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reason) and other.code == self.code and other.params == self.params

    def __hash__(self) -> int:
        return hash(self.code)

    def __reduce__(self) -> tuple[type[Reason], tuple[str, dict[str, Param]]]:
        return (Reason, (self.code, self.params))  # copy and pickle, compiled or not

    def __repr__(self) -> str:
        return f"Reason({self.code!r}, {self.params!r})"

    def __str__(self) -> str:
        """The reason in English, the source language."""
        return render(self, ENGLISH)

    def to_trace(self) -> dict[str, Any]:
        """JSON: {"code": …, "params": {…}}, nested reasons the same way."""
        return {"code": self.code, "params": {k: _param_trace(v) for k, v in self.params.items()}}

    @staticmethod
    def from_trace(trace: Mapping[str, Any]) -> Reason:
        params = trace.get("params") or {}
        return Reason(str(trace["code"]), {k: _param_from(v) for k, v in params.items()})


def _param_trace(value: Param) -> Any:
    return value.to_trace() if isinstance(value, Reason) else value


def _param_from(value: Any) -> Param:
    if isinstance(value, Mapping):
        return Reason.from_trace(value)
    if isinstance(value, bool | int | float):
        return value
    return str(value)


def on_date(day: date, *, with_year: bool = False) -> Reason:
    params: dict[str, Param] = {"iso": day.isoformat()}
    if with_year:
        params["year"] = 1
    return Reason("date", params)


def as_text(text: str) -> Reason:
    return Reason("text", {"text": text})


def at_moment(moment: datetime, zone: ZoneInfo) -> Reason:
    return Reason("moment", {"iso": moment.isoformat(), "zone": zone.key})


def as_term(kind: str, value: str) -> Reason:
    """A configuration's code (`kind` "strategy", `value` "weighted_ratio"): see `TERMS`."""
    return Reason("term", {"kind": kind, "value": str(value)})


class Language(Protocol):
    """What `render` needs of a language: its catalog and how it writes numbers and dates."""

    def gettext(self, message: str) -> str: ...

    def integer(self, value: int) -> str: ...

    def number(self, value: float) -> str:
        """A measure shown to two decimals (a credit, a score)."""
        ...

    def day(self, day: date, *, with_year: bool = False) -> str: ...

    def moment(self, moment: datetime, zone: ZoneInfo) -> str: ...

    def holiday(self, name: str, day: date, countries: list[str]) -> str:
        """A national holiday's name (`name` in its calendar's language) in this language."""
        ...

    def term(self, value: str, words: str) -> str:
        """A configuration's code `value`, or its English `words` in this language."""
        ...


def render(reason: Reason, language: Language) -> str:
    """`reason` in `language`; an unknown code (a newer engine's) reads as the code itself."""
    if reason.code == "date":
        day = date.fromisoformat(str(reason.params["iso"]))
        return language.day(day, with_year="year" in reason.params)
    if reason.code == "text":
        return str(reason.params["text"])
    if reason.code == "holiday":
        return _holiday(reason.params, language)
    if reason.code == "moment":
        moment = datetime.fromisoformat(str(reason.params["iso"]))
        return language.moment(moment, ZoneInfo(str(reason.params["zone"])))
    if reason.code == "term":
        value = str(reason.params["value"])
        words = TERMS.get(f"{reason.params['kind']}.{value}")
        return value if words is None else language.term(value, words)
    template = TEMPLATES.get(reason.code)
    if template is None:
        return reason.code
    values = {name: _word(value, language) for name, value in reason.params.items()}
    try:
        return language.gettext(template) % values
    except (KeyError, ValueError, TypeError):
        return template % values  # a translation that lost a placeholder reads in English


def _holiday(params: Mapping[str, Param], language: Language) -> str:
    name, day, countries = str(params["name"]), params.get("date"), params.get("countries")
    if day is None or countries is None:
        return name
    return language.holiday(name, date.fromisoformat(str(day)), str(countries).split(","))


def _word(value: Param, language: Language) -> str:
    if isinstance(value, Reason):
        return render(value, language)
    if isinstance(value, bool | str):
        return str(value)
    if isinstance(value, int):
        return language.integer(value)
    return language.number(value)


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class English:
    """The source language, as the engine has always written it: '29 May', '0.50'."""

    def gettext(self, message: str) -> str:
        return message

    def integer(self, value: int) -> str:
        return str(value)

    def number(self, value: float) -> str:
        return f"{value:.2f}"

    def day(self, day: date, *, with_year: bool = False) -> str:
        return day.isoformat() if with_year else f"{day.day} {_MONTHS[day.month - 1]}"

    def moment(self, moment: datetime, zone: ZoneInfo) -> str:
        local = moment.astimezone(zone)
        return f"{_WEEKDAYS[local.weekday()]} {self.day(local.date())} {local:%H:%M} {zone.key}"

    def holiday(self, name: str, day: date, countries: list[str]) -> str:
        return name

    def term(self, value: str, words: str) -> str:
        return value


ENGLISH = English()

TEMPLATES: dict[str, str] = {
    # why an agent could not take the lead (ExclusionReason)
    "exclusion.left": N_("%(agent)s has left"),
    "exclusion.paused": N_("%(agent)s is paused"),
    "exclusion.unknown_agent": N_("%(agent)s is not in this configuration"),
    "exclusion.not_started": N_("%(agent)s starts on %(day)s"),
    "exclusion.off_shift": N_("%(agent)s is off shift"),
    "exclusion.on_leave": N_("%(agent)s is on leave"),
    "exclusion.holiday": N_("%(agent)s is on a holiday"),
    "exclusion.no_schedule": N_("%(agent)s is without a schedule"),
    "exclusion.unavailable": N_("%(agent)s is unavailable"),
    "exclusion.cap_day": N_("%(agent)s reached the day cap: %(count)s of %(cap)s new leads today"),
    "exclusion.cap_week": N_(
        "%(agent)s reached the week cap: %(count)s of %(cap)s new leads this week"
    ),
    "exclusion.cap_month": N_(
        "%(agent)s reached the month cap: %(count)s of %(cap)s new leads this month"
    ),
    "exclusion.cap_open": N_("%(agent)s reached the open cap: %(count)s of %(cap)s open leads"),
    "exclusion.language": N_("%(agent)s does not speak %(language)s (speaks %(languages)s)"),
    "exclusion.skill": N_("%(agent)s does not sell %(treatment)s (sells %(skills)s)"),
    "exclusion.weight_zero": N_("%(agent)s has weight 0 here"),
    # the calendar: why an agent is away now
    "away.leave_until_day": N_("on %(kind)s leave until %(day)s"),
    "away.leave_until_time": N_("on %(kind)s leave until %(time)s %(zone)s"),
    "away.holiday": N_("holiday: %(name)s"),
    "away.no_shift_soon": N_("off shift; no shift in the next %(days)s days"),
    "away.next_shift": N_("off shift; next shift %(at)s"),
    "leave.annual": N_("annual"),
    "leave.sick": N_("sick"),
    "leave.training": N_("training"),
    "leave.other": N_("other"),
    # a pool's choice
    "pool.all_excluded": N_("nobody eligible: all %(count)s candidates excluded"),
    "pool.no_members": N_("nobody eligible: the pool has no members"),
    "choice.weighted_ratio": N_(
        "weighted ratio: %(agent)s had the most credit (%(credit)s lead) of %(count)s eligible"
    ),
    "choice.least_loaded": N_(
        "least loaded: %(agent)s had the fewest open leads per unit of weight "
        "(%(open)s open, %(today)s today, weight %(weight)s)"
    ),
    "choice.round_robin_next": N_(
        "round robin: %(agent)s is the next after %(last)s among %(count)s eligible"
    ),
    "choice.round_robin_first": N_(
        "round robin: %(agent)s is the first in member order among %(count)s eligible"
    ),
    "choice.tier_no_band": N_("tier: %(values)s reaches no band; all eligible; %(then)s"),
    "choice.tier_band": N_("tier: %(values)s reaches band ≥ %(min)s, tier %(tier)s; %(then)s"),
    "choice.tier_nobody": N_(
        "tier: nobody eligible in tiers %(tiers)s of band ≥ %(min)s; all eligible; %(then)s"
    ),
    "band.score": N_("score %(value)s"),
    "band.budget": N_("budget %(value)s"),
    "band.both": N_("%(first)s / %(second)s"),
    "band.nothing": N_("the lead"),
    "word.none": N_("none"),
    # a repeat lead and its owner
    "sticky.owner": N_("repeat lead back to owner %(owner)s"),
    "sticky.policy_pool": N_(
        "owner %(owner)s is away (%(away)s); the policy sends repeats to the pool"
    ),
    "sticky.no_backup": N_(
        "owner %(owner)s is away (%(away)s); %(owner)s has no backup, so the pool"
    ),
    "sticky.backup": N_("owner %(owner)s is away (%(away)s); backup %(backup)s takes it"),
    "sticky.both_away": N_(
        "owner %(owner)s is away (%(away)s) and so is backup %(backup)s (%(backup_away)s); the pool"
    ),
    # the decision
    "decision.no_rule": N_("no rule matched (%(count)s checked) and there is no default pipeline"),
    "decision.fallback": N_("nobody eligible in %(tried)s; fallback %(pipeline)s: %(then)s"),
    "no_agent.queued": N_(
        "nobody eligible in %(tried)s; queued in %(pipeline)s until an agent is available"
    ),
    "no_agent.alerted": N_("nobody eligible in %(tried)s; the team lead is alerted"),
    "no_agent.virtual_consultant": N_(
        "nobody eligible in %(tried)s; handed to virtual consultant %(agent)s"
    ),
    "no_agent.on_call": N_("nobody eligible in %(tried)s; handed to on-call agent %(agent)s"),
    "no_agent.virtual_consultant_unusable": N_(
        "nobody eligible in %(tried)s; virtual consultant %(agent)s cannot take it (%(why)s)"
    ),
    "no_agent.on_call_unusable": N_(
        "nobody eligible in %(tried)s; on-call agent %(agent)s cannot take it (%(why)s)"
    ),
    # "why not me?" for one agent and one decision
    "why_not.got_it": N_("%(agent)s got this lead: %(why)s"),
    "why_not.unknown_agent": N_("%(agent)s is not an agent in configuration version %(version)s"),
    "why_not.no_rule": N_("No rule matched this lead and there is no default pipeline: %(why)s"),
    "why_not.owner_skipped": N_(
        "As the contact's owner, %(agent)s was skipped for %(check_words)s: %(why)s"
    ),
    "why_not.backup_skipped": N_(
        "As the owner's backup, %(agent)s was skipped for %(check_words)s: %(why)s"
    ),
    "why_not.repeat": N_("The lead is a repeat and went to %(agent)s: %(why)s"),
    "why_not.excluded": N_(
        "In pipeline %(pipeline)s, %(agent)s was excluded for %(check_words)s: %(why)s"
    ),
    "why_not.not_chosen": N_("In pipeline %(pipeline)s, %(agent)s was not chosen: %(why)s"),
    "why_not.other_tier": N_(
        "In pipeline %(pipeline)s, %(agent)s was eligible but is %(tier_words)s, not the tier "
        "chosen for this lead; %(why)s"
    ),
    "why_not.less_loaded": N_(
        "In pipeline %(pipeline)s, %(agent)s was eligible but %(chosen)s had fewer open leads "
        "per unit of weight (%(theirs)s against %(ours)s); %(why)s"
    ),
    "why_not.turn": N_(
        "In pipeline %(pipeline)s, %(agent)s was eligible but %(chosen)s came first in turn; "
        "%(why)s"
    ),
    "why_not.more_credit": N_(
        "In pipeline %(pipeline)s, %(agent)s was eligible but %(chosen)s had more credit toward "
        "its weighted share (%(theirs)s lead against %(ours)s); %(why)s"
    ),
    "why_not.not_considered": N_(
        "%(agent)s was not considered: %(why)s (%(agent)s is in %(pools)s)"
    ),
    "why_not.not_a_candidate": N_(
        "%(agent)s is not a candidate in the pipelines tried (%(tried)s); %(agent)s is in %(pools)s"
    ),
    "why_not.no_pipeline": N_("no pipeline"),
    # a decision's full account, a line each (`leadflow explain`, the API's `explanation`)
    "account.assigned": N_("Assigned to %(agent)s in pipeline %(pipeline)s"),
    "account.assigned_via": N_("Assigned to %(agent)s via %(via)s in pipeline %(pipeline)s"),
    "account.queued": N_("Queued in pipeline %(pipeline)s"),
    "account.unassigned": N_("Unassigned in pipeline %(pipeline)s"),
    "account.no_rule": N_("Not routed: no rule matched"),
    "account.why": N_("Why: %(why)s"),
    "account.rule_matched": N_("Rule: %(rule)s matched (checked %(checked)s)"),
    "account.rule_none": N_("Rule: none matched (checked %(checked)s)"),
    "account.rule_default": N_("Rule: none matched (checked %(checked)s); default pipeline"),
    "account.no_rules": N_("no rules"),
    "account.sticky": N_("Repeat lead, owner %(owner)s → %(result)s: %(why)s"),
    "account.pipeline": N_(
        "Pipeline %(pipeline)s (%(strategy)s): %(candidates)s candidates, %(eligible)s eligible"
    ),
    "account.excluded": N_("excluded %(agent)s — %(check)s: %(why)s"),
    "account.eligible": N_("eligible: %(agents)s"),
    "account.chose": N_("chose %(agent)s: %(why)s"),
    "account.chose_nobody": N_("chose nobody: %(why)s"),
    "account.no_agent": N_("No-agent policy: %(action)s"),
    "account.unusable": N_("%(agent)s unusable — %(check)s: %(why)s"),
    "account.version": N_("Configuration version %(version)s, decided at %(at)s"),
    "account.unversioned": N_("unversioned"),
}
"""Every code's English template, the msgid of its translations."""

TEMPLATES.update(HANDOVER_TEMPLATES)  # why a lead changed hands (SLA, staff, queue, automations)
TEMPLATES.update(TASK_TITLES)
TERMS: dict[str, str] = {
    "strategy.weighted_ratio": N_("weighted ratio"),
    "strategy.least_loaded": N_("least loaded"),
    "strategy.round_robin": N_("round robin"),
    "strategy.tier": N_("by tier"),
    "via.sticky": N_("back to the owner"),
    "via.backup": N_("the owner's backup"),
    "via.pool": N_("the pool"),
    "via.fallback": N_("a fallback pipeline"),
    "via.virtual_consultant": N_("a virtual consultant"),
    "via.on_call": N_("the on-call agent"),
    "no_agent.queue": N_("queue until someone is on shift"),
    "no_agent.virtual_consultant": N_("hand to a virtual consultant"),
    "no_agent.on_call": N_("assign to the on-call agent"),
    "no_agent.alert": N_("alert the team lead"),
    "check.paused": N_("paused"),
    "check.left": N_("left"),
    "check.unknown_agent": N_("not in the configuration"),
    "check.not_started": N_("not started yet"),
    "check.off_shift": N_("off shift"),
    "check.on_leave": N_("on leave"),
    "check.holiday": N_("on holiday"),
    "check.no_schedule": N_("no schedule"),
    "check.unavailable": N_("unavailable"),
    "check.cap_day": N_("day cap"),
    "check.cap_week": N_("week cap"),
    "check.cap_month": N_("month cap"),
    "check.cap_open": N_("open-lead cap"),
    "check.language": N_("language"),
    "check.skill": N_("treatment"),
    "check.weight_zero": N_("weight 0"),
    "decision.initial": N_("Routed"),
    "decision.manual": N_("Reassigned by hand"),
    "decision.sla": N_("SLA missed"),
    "decision.staff": N_("Staff change"),
    "decision.queue_release": N_("Released from the queue"),
    "decision.automation": N_("Reassigned by an automation rule"),
    "tier.high": N_("a high performer"),
    "tier.developing": N_("developing"),
    "tier.low": N_("a low performer"),
    "tier.new": N_("new"),
}
"""A configuration's codes in words (`term`), by kind and code; English shows the code."""
