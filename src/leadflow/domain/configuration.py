"""The organisation's configuration document: teams, agents, schedules, pipelines, pools, rules.

Everything a person edits lives here and is versioned as a whole (configuration as code): the
YAML file that `leadflow config apply` reads validates into `Configuration`. Everything the system
does over time (assignments, counters, queues) lives in the database, not here.
"""

from __future__ import annotations

import re
from datetime import date, time
from enum import StrEnum
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from leadflow.domain.network import private_host

Key = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]
"""A stable, human-readable identifier (slug) used in YAML, traces and URLs."""


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc
    return name


TimeZoneName = Annotated[str, AfterValidator(_check_timezone)]
"""An IANA time zone name such as Europe/Berlin."""


class AgentStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


class Tier(StrEnum):
    """Performance tiers, best first (the seeds' four groups)."""

    HIGH = "high"
    DEVELOPING = "developing"
    LOW = "low"
    NEW = "new"


class AgentKind(StrEnum):
    HUMAN = "human"
    BOT = "bot"  # a virtual sales consultant that takes leads by API


class Caps(Frozen):
    """New leads per day, week and month (in the agent's time zone) and open leads at once."""

    day: int | None = Field(default=None, ge=0)
    week: int | None = Field(default=None, ge=0)
    month: int | None = Field(default=None, ge=0)
    open: int | None = Field(default=None, ge=0)


# --- schedules -------------------------------------------------------------------------------

_INTERVAL = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Interval(Frozen):
    """Local wall-clock interval; `end <= start` means the shift crosses midnight."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> Interval:
        match = _INTERVAL.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not an interval like '09:00-17:30'")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2 != 0):
            raise ValueError(f"{text!r} has an impossible time")
        end = time(0, 0) if h2 == 24 else time(h2, m2)
        return cls(start=time(h1, m1), end=end)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def _intervals(value: Any) -> Any:
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        return [Interval.parse(v) if isinstance(v, str) else v for v in value]
    return value


class WeeklyPattern(Frozen):
    """Working intervals per weekday; split shifts are several intervals on one day."""

    mon: list[Interval] = Field(default_factory=list)
    tue: list[Interval] = Field(default_factory=list)
    wed: list[Interval] = Field(default_factory=list)
    thu: list[Interval] = Field(default_factory=list)
    fri: list[Interval] = Field(default_factory=list)
    sat: list[Interval] = Field(default_factory=list)
    sun: list[Interval] = Field(default_factory=list)

    @field_validator(*WEEKDAYS, mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        return _intervals(value)

    def on(self, weekday: int) -> list[Interval]:
        """Intervals of ISO weekday index 0 (Monday) … 6 (Sunday)."""
        result: list[Interval] = getattr(self, WEEKDAYS[weekday])
        return result


class ShiftOverride(Frozen):
    """A date that differs from the weekly pattern: a day off, or other hours (swap, extra)."""

    date: date
    intervals: list[Interval] = Field(default_factory=list)
    reason: str = ""

    @field_validator("intervals", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        return _intervals(value)


class LeaveType(StrEnum):
    ANNUAL = "annual"
    SICK = "sick"
    TRAINING = "training"
    OTHER = "other"


class Leave(Frozen):
    """Leave from `start` to `end` inclusive; with `intervals`, only those hours of each day."""

    start: date
    end: date
    type: LeaveType = LeaveType.ANNUAL
    intervals: list[Interval] = Field(default_factory=list)
    note: str = ""

    @field_validator("intervals", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        return _intervals(value)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError("leave ends before it starts")
        return self


class CompanyDay(Frozen):
    """A company day off, or a half day when `intervals` gives the hours still worked."""

    date: date
    name: str
    intervals: list[Interval] = Field(default_factory=list)

    @field_validator("intervals", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        return _intervals(value)


class HolidayCalendar(Frozen):
    """Public and religious holidays of `countries` (the `holidays` package) and company days."""

    countries: list[str] = Field(default_factory=list)
    subdivisions: dict[str, str] = Field(default_factory=dict)
    """Country → subdivision code of the `holidays` package (e.g. DE → BY) for regional days."""
    company_days: list[CompanyDay] = Field(default_factory=list)

    @field_validator("countries")
    @classmethod
    def _upper(cls, value: list[str]) -> list[str]:
        return [c.upper() for c in value]

    @field_validator("subdivisions")
    @classmethod
    def _upper_countries(cls, value: dict[str, str]) -> dict[str, str]:
        return {country.upper(): code for country, code in value.items()}


class Schedule(Frozen):
    """An agent's working time in the agent's own time zone."""

    weekly: WeeklyPattern = Field(default_factory=WeeklyPattern)
    overrides: list[ShiftOverride] = Field(default_factory=list)
    leave: list[Leave] = Field(default_factory=list)


# --- people ----------------------------------------------------------------------------------


class LeavePolicy(StrEnum):
    """What happens to an agent's open leads when they leave or start leave."""

    KEEP_WITH_BACKUP = "keep_with_backup"  # a named backup works them; they return after leave
    REDISTRIBUTE = "redistribute"  # routed again through the pool now


class Team(Frozen):
    key: Key
    name: str
    leads: list[str] = Field(default_factory=list, description="e-mails of the team leads")
    timezone: TimeZoneName | None = None
    """Where the team works, for its calendar screens; each agent keeps their own time zone."""
    holidays: HolidayCalendar = Field(default_factory=HolidayCalendar)
    on_leave: LeavePolicy = LeavePolicy.KEEP_WITH_BACKUP
    on_exit: LeavePolicy = LeavePolicy.REDISTRIBUTE


class Agent(Frozen):
    key: Key
    name: str
    email: str | None = None
    team: Key
    kind: AgentKind = AgentKind.HUMAN
    status: AgentStatus = AgentStatus.ACTIVE
    languages: list[str] = Field(default_factory=list)
    skills: list[str] = Field(default_factory=list, description="treatments the agent sells")
    tier: Tier = Tier.DEVELOPING
    timezone: TimeZoneName = "Europe/Istanbul"
    caps: Caps = Field(default_factory=Caps)
    schedule: Schedule | None = Field(
        default=None, description="None means always available (bots, on-call numbers)"
    )
    started_on: date | None = None
    backup: Key | None = None

    @field_validator("languages")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        return [v.lower() for v in value]


# --- routing ---------------------------------------------------------------------------------


class Strategy(StrEnum):
    WEIGHTED_RATIO = "weighted_ratio"
    LEAST_LOADED = "least_loaded"
    ROUND_ROBIN = "round_robin"
    TIER = "tier"


class PoolMember(Frozen):
    agent: Key
    weight: int = Field(default=1, ge=0, le=1000)


class TierBand(Frozen):
    """Leads whose `field` is at least `min` go to `tiers`, best first, falling back in order."""

    field: Literal["score", "budget"] = "score"
    min: float = 0
    tiers: list[Tier]


class Pool(Frozen):
    strategy: Strategy = Strategy.WEIGHTED_RATIO
    members: list[PoolMember] = Field(default_factory=list)
    tier_bands: list[TierBand] = Field(default_factory=list)
    """For `strategy: tier`; bands are tried from the highest `min` down."""


class NoAgentAction(StrEnum):
    QUEUE = "queue"
    VIRTUAL_CONSULTANT = "virtual_consultant"
    ON_CALL = "on_call"
    ALERT = "alert"


class NoAgentPolicy(Frozen):
    action: NoAgentAction = NoAgentAction.QUEUE
    agent: Key | None = None
    """The bot (virtual_consultant) or on-call agent."""

    @model_validator(mode="after")
    def _agent_named(self) -> Self:
        needs_agent = self.action in (NoAgentAction.VIRTUAL_CONSULTANT, NoAgentAction.ON_CALL)
        if needs_agent and self.agent is None:
            raise ValueError(f"action {self.action.value} needs an agent")
        return self


class OwnerAway(StrEnum):
    BACKUP = "backup"
    POOL = "pool"


class RepeatPolicy(Frozen):
    """Sticky owner: a repeat lead goes back to the contact's previous owner when eligible."""

    sticky: bool = True
    when_owner_away: OwnerAway = OwnerAway.POOL


class Sla(Frozen):
    first_contact_minutes: int = Field(default=15, gt=0)
    max_reassignments: int = Field(default=2, ge=0)


class RampUp(Frozen):
    """A new agent receives `share` of their weight for their first `days` days."""

    days: int = Field(default=14, ge=0)
    share: float = Field(default=0.5, gt=0, le=1)


class Pipeline(Frozen):
    key: Key
    name: str
    team: Key
    timezone: TimeZoneName = "Europe/Istanbul"
    treatment: str | None = None
    language: str | None = None
    stages: list[Key] = Field(
        default_factory=lambda: [
            "new",
            "contacted",
            "qualified",
            "offer_sent",
            "booked",
            "won",
            "lost",
        ]
    )
    pool: Pool = Field(default_factory=Pool)
    when_no_agent: NoAgentPolicy = Field(default_factory=NoAgentPolicy)
    repeats: RepeatPolicy = Field(default_factory=RepeatPolicy)
    sla: Sla = Field(default_factory=Sla)
    business_hours: WeeklyPattern | None = None
    """Hours in which SLA minutes run; None means while someone active in the pool works."""


# --- rule conditions -------------------------------------------------------------------------

Scalar = str | int | float | bool


class _Leaf(Frozen):
    field: str = Field(
        description="a lead field (country, language, source, treatment, score, budget, "
        "utm_campaign…), `custom.NAME`, or `time_of_day` / `weekday` in the pipeline's time zone"
    )


class Equals(_Leaf):
    op: Literal["equals"]
    value: Scalar


class In(_Leaf):
    op: Literal["in"]
    values: list[Scalar] = Field(min_length=1)


class NotIn(_Leaf):
    op: Literal["not_in"]
    values: list[Scalar] = Field(min_length=1)


class Prefix(_Leaf):
    op: Literal["prefix"]
    value: str


class Pattern(_Leaf):
    op: Literal["pattern"]
    value: str

    @field_validator("value")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from exc
        return value


class Range(_Leaf):
    """Inclusive numeric range; for `time_of_day` the bounds are "HH:MM" and may wrap midnight."""

    op: Literal["range"]
    min: float | str | None = None
    max: float | str | None = None

    @model_validator(mode="after")
    def _bounded(self) -> Self:
        if self.min is None and self.max is None:
            raise ValueError("a range needs min, max or both")
        return self


class Exists(_Leaf):
    op: Literal["exists"]
    value: bool = True


Leaf = Equals | In | NotIn | Prefix | Pattern | Range | Exists
OPERATORS = ("equals", "in", "not_in", "prefix", "pattern", "range", "exists")


class All(Frozen):
    all: list[Condition] = Field(min_length=1)


class AnyOf(Frozen):
    any: list[Condition] = Field(min_length=1)


def _condition_tag(value: Any) -> str | None:
    """Which kind of condition `value` is; tags start with '~' so error paths can drop them."""
    if isinstance(value, All | AnyOf):
        return "~all" if isinstance(value, All) else "~any"
    if isinstance(value, BaseModel):
        return f"~{getattr(value, 'op', '')}"
    if not isinstance(value, dict):
        return None
    if "all" in value or "any" in value:
        return "~all" if "all" in value else "~any"
    op = value.get("op")
    return f"~{op}" if op in OPERATORS else None


Condition = Annotated[
    Annotated[All, Tag("~all")]
    | Annotated[AnyOf, Tag("~any")]
    | Annotated[Equals, Tag("~equals")]
    | Annotated[In, Tag("~in")]
    | Annotated[NotIn, Tag("~not_in")]
    | Annotated[Prefix, Tag("~prefix")]
    | Annotated[Pattern, Tag("~pattern")]
    | Annotated[Range, Tag("~range")]
    | Annotated[Exists, Tag("~exists")],
    Discriminator(
        _condition_tag,
        custom_error_type="condition",
        custom_error_message="a condition is {all: [...]}, {any: [...]} or {field, op, value} "
        "with op one of " + ", ".join(OPERATORS),
    ),
]
All.model_rebuild()
AnyOf.model_rebuild()


class Rule(Frozen):
    key: Key
    name: str = ""
    priority: int = 100
    """Lower runs first; ties keep file order."""
    enabled: bool = True
    when: Condition | None = None
    """None matches every lead."""
    pipeline: Key
    fallback: list[Key] = Field(default_factory=list)
    """Pipelines tried in order when `pipeline` has nobody eligible."""


# --- notifications ---------------------------------------------------------------------------

TOPICS = (
    "lead.assigned", "lead.reassigned", "lead.queued", "lead.unassigned",
    "sla.warning", "sla.breached", "staff.change", "alert",
)  # fmt: skip


class Webhook(Frozen):
    """An HTTP endpoint told about events: plain JSON, or a Slack incoming-webhook message."""

    key: Key
    allow_private_network: bool = False
    """Whether `url` may reach a private address (127.0.0.1, 10.x, a local name…): off, so a
    configuration cannot make the server call its own network. Declared before `url`, whose
    check reads it."""
    url: str = Field(pattern=r"^https?://")
    topics: list[str] = Field(default_factory=lambda: list(TOPICS))
    format: Literal["json", "slack"] = "json"
    secret_env: str | None = None
    """Name of the environment variable holding the HMAC secret (secrets stay out of YAML)."""

    @field_validator("url")
    @classmethod
    def _public_url(cls, value: str, info: ValidationInfo) -> str:
        host = private_host(value)
        if host is not None and not info.data.get("allow_private_network", False):
            raise ValueError(
                f"{value} is on a private network ({host}); webhooks go to public addresses "
                "unless the webhook sets allow_private_network: true"
            )
        return value

    @field_validator("topics")
    @classmethod
    def _known_topics(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(TOPICS))
        if unknown:
            raise ValueError(f"unknown topics {unknown}; known: {', '.join(TOPICS)}")
        return value


class Notifications(Frozen):
    webhooks: list[Webhook] = Field(default_factory=list)
    email_topics: list[str] = Field(
        default_factory=lambda: ["lead.unassigned", "sla.breached", "alert"]
    )
    """Topics e-mailed to the team leads of the team concerned."""


# --- the document ----------------------------------------------------------------------------


class Organisation(Frozen):
    name: str
    timezone: TimeZoneName = "Europe/Istanbul"
    languages: list[str] = Field(default_factory=list, description="languages served (ISO 639-1)")
    repeat_window_days: int = Field(default=90, ge=0)
    ramp_up: RampUp = Field(default_factory=RampUp)


class Configuration(Frozen):
    organisation: Organisation
    teams: list[Team] = Field(default_factory=list)
    agents: list[Agent] = Field(default_factory=list)
    pipelines: list[Pipeline] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    default_pipeline: Key | None = None
    """Where a lead goes when no rule matches; None leaves it unrouted (and says so)."""
    notifications: Notifications = Field(default_factory=Notifications)

    @model_validator(mode="after")
    def _references_resolve(self) -> Self:
        _unique("teams", [t.key for t in self.teams])
        _unique("agents", [a.key for a in self.agents])
        _unique("pipelines", [p.key for p in self.pipelines])
        _unique("rules", [r.key for r in self.rules])
        teams = {t.key for t in self.teams}
        agents = {a.key for a in self.agents}
        pipelines = {p.key for p in self.pipelines}
        for i, agent in enumerate(self.agents):
            _known(f"agents[{i}].team", agent.team, teams)
            if agent.backup is not None:
                _known(f"agents[{i}].backup", agent.backup, agents)
        for i, pipeline in enumerate(self.pipelines):
            _known(f"pipelines[{i}].team", pipeline.team, teams)
            for j, member in enumerate(pipeline.pool.members):
                _known(f"pipelines[{i}].pool.members[{j}].agent", member.agent, agents)
            if pipeline.when_no_agent.agent is not None:
                _known(f"pipelines[{i}].when_no_agent.agent", pipeline.when_no_agent.agent, agents)
        for i, rule in enumerate(self.rules):
            _known(f"rules[{i}].pipeline", rule.pipeline, pipelines)
            for j, fallback in enumerate(rule.fallback):
                _known(f"rules[{i}].fallback[{j}]", fallback, pipelines)
        if self.default_pipeline is not None:
            _known("default_pipeline", self.default_pipeline, pipelines)
        return self

    def agent(self, key: str) -> Agent:
        return next(a for a in self.agents if a.key == key)

    def pipeline(self, key: str) -> Pipeline:
        return next(p for p in self.pipelines if p.key == key)

    def team(self, key: str) -> Team:
        return next(t for t in self.teams if t.key == key)

    def ordered_rules(self) -> list[Rule]:
        return sorted((r for r in self.rules if r.enabled), key=lambda r: r.priority)


def _unique(what: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"{what}: key {key!r} is used twice")
        seen.add(key)


def _known(where: str, key: str, known: set[str]) -> None:
    if key not in known:
        raise ValueError(f"{where}: {key!r} is not defined")
