"""The whole document: the organisation and `Configuration`, whose keys must all resolve."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from leadflow.domain.configuration.automations import Automation, MoveToStage, SetField
from leadflow.domain.configuration.base import Frozen, Key, TimeZoneName
from leadflow.domain.configuration.notifications import Notifications
from leadflow.domain.configuration.people import Agent, Team
from leadflow.domain.configuration.pipelines import Pipeline, RampUp
from leadflow.domain.configuration.rules import Rule
from leadflow.domain.configuration.workflow import (
    BUILTIN_FIELDS,
    FieldDefinition,
    StageType,
    WorkflowSettings,
)


class Organisation(Frozen):
    name: str
    timezone: TimeZoneName = "Europe/Istanbul"
    languages: list[str] = Field(default_factory=list, description="languages served (ISO 639-1)")
    repeat_window_days: int = Field(default=90, ge=0)
    ramp_up: RampUp = Field(default_factory=RampUp)
    locale: Literal["en", "tr"] | None = None
    """The language of what has no reader with an account: webhook and Slack alerts (English
    when unset) and the CLI's answers (`--lang` overrides; unset: the environment's language)."""


class Configuration(Frozen):
    organisation: Organisation
    teams: list[Team] = Field(default_factory=list)
    agents: list[Agent] = Field(default_factory=list)
    pipelines: list[Pipeline] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    default_pipeline: Key | None = None
    """Where a lead goes when no rule matches; None leaves it unrouted (and says so)."""
    notifications: Notifications = Field(default_factory=Notifications)
    fields: list[FieldDefinition] = Field(default_factory=list)
    """Fields the sales workflow records on a lead (stages may require them)."""
    automations: list[Automation] = Field(default_factory=list)
    workflow: WorkflowSettings = Field(default_factory=WorkflowSettings)

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
        self._workflow_resolves(pipelines)
        return self

    def _workflow_resolves(self, pipelines: set[str]) -> None:
        _unique("fields", [f.key for f in self.fields])
        _unique("automations", [a.key for a in self.automations])
        fields = {*BUILTIN_FIELDS, *(f.key for f in self.fields)}
        for i, pipeline in enumerate(self.pipelines):
            for j, stage in enumerate(pipeline.stages):
                for k, name in enumerate(stage.requires):
                    _known(f"pipelines[{i}].stages[{j}].requires[{k}]", name, fields)
        for i, automation in enumerate(self.automations):
            where = f"automations[{i}]"
            for j, key in enumerate(automation.pipelines):
                _known(f"{where}.pipelines[{j}]", key, pipelines)
            applies = [
                p
                for p in self.pipelines
                if not automation.pipelines or p.key in automation.pipelines
            ]
            for j, action in enumerate(automation.do):
                if isinstance(action, MoveToStage):
                    stages = [s for p in applies for s in p.stages if s.key == action.stage]
                    if not stages:
                        raise ValueError(
                            f"{where}.do[{j}].stage: {action.stage!r} is not a stage of "
                            "the pipelines it acts on"
                        )
                    lost = any(s.type is StageType.LOST for s in stages)
                    if lost and action.lost_reason is None:
                        raise ValueError(f"{where}.do[{j}].lost_reason: a lost stage needs one")
                if isinstance(action, SetField):
                    _known(f"{where}.do[{j}].field", action.field, fields)

    def field(self, key: str) -> FieldDefinition | None:
        return next((f for f in self.fields if f.key == key), None)

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
