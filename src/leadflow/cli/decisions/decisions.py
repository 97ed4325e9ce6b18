"""`leadflow explain` and `leadflow replay`: why a lead went where it went, and what a
configuration would have decided for past leads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer

from leadflow.cli.lang import Lang, chosen
from leadflow.cli.shell import Failure, console, friendly, parse_day, read_text, run, with_store
from leadflow.domain.reasons import N_, Reason, as_term, as_text, at_moment
from leadflow.locale.catalogs import translations

if TYPE_CHECKING:
    from leadflow.services.assignment.decisions import LeadDecisions, WhyNot
    from leadflow.services.assignment.replays import PeriodReport
    from leadflow.storage.store import Store


@dataclass(frozen=True)
class _Explained:
    found: LeadDecisions
    why_not: WhyNot | None
    locale: str
    zone: ZoneInfo


@friendly
def explain(
    lead_id: Annotated[int, typer.Argument(metavar="LEAD_ID")],
    agent: Annotated[str | None, typer.Option(help="also answer: why not this agent?")] = None,
    lang: Lang = None,
) -> None:
    """Print why a lead went where it went (and its later changes), in the reader's language:
    dates in the organisation's time zone."""
    from leadflow.services.assignment import decisions
    from leadflow.services.configuration.organisation import LiveOrganisation
    from leadflow.services.configuration.versions import NoConfiguration

    async def work(store: Store) -> _Explained:
        found = await decisions.decisions_of(store, lead_id)
        try:
            settings = (await LiveOrganisation().get(store)).configuration
        except NoConfiguration:
            settings = None
        locale = chosen(lang, settings.organisation.locale if settings else None)
        zone = ZoneInfo(settings.organisation.timezone if settings else "UTC")
        answer = None
        if agent is not None:
            if settings is None or all(a.key != agent for a in settings.agents):
                words = translations(locale).gettext
                raise Failure(words(N_("no agent %(agent)s in the active configuration"))
                              % {"agent": repr(agent)})  # fmt: skip
            answer = await decisions.answer_why_not(store, LiveOrganisation(), lead_id, agent)
        return _Explained(found, answer, locale, zone)

    explained = run(with_store(work, commit=False))
    for line, style in _account(explained, agent):
        console.print(line, style=style, markup=False, highlight=False, soft_wrap=True)


def _account(explained: _Explained, agent: str | None) -> list[tuple[str, str | None]]:
    """The lines `explain` prints, each with its style (bold for headings)."""
    from leadflow.locale.speech import say, spoken
    from leadflow.routing import Decision
    from leadflow.routing.explanation.account import account_text

    found, locale, zone = explained.found, explained.locale, explained.zone
    words, speech = translations(locale).gettext, spoken(locale)
    lines: list[tuple[str, str | None]] = [(_lead_line(found, locale, zone), "bold")]
    routing = found.routing
    if routing is None:
        lines.append((words(N_("not routed yet")), None))
    else:
        decision = Decision.from_trace(routing.trace)
        lines.append((account_text(decision, speech, zone), None))
    for change in found.history[1:]:
        lines.append((words(N_("then %(at)s %(kind)s: %(previous)s → %(agent)s (%(reason)s)")) % {
            "at": say(at_moment(change.decided_at, zone), locale),
            "kind": say(as_term("decision", change.kind), locale),
            "previous": change.previous_agent_key or "—",
            "agent": change.agent_key or "—",
            "reason": change.reason or say(_why(change.trace), locale),
        }, None))  # fmt: skip
    if explained.why_not is not None and agent is not None:
        lines.extend(_why_not_lines(explained, agent))
    return lines


def _why(trace: dict[str, Any]) -> Reason | None:
    found = trace.get("why")
    if found is not None:
        return Reason.from_trace(found)
    return as_text(str(trace["reason"])) if trace.get("reason") else None


def _lead_line(found: LeadDecisions, locale: str, zone: ZoneInfo) -> str:
    from leadflow.locale.speech import say

    lead, words = found.lead, translations(locale).gettext
    name = " ".join(p for p in (lead.first_name, lead.last_name) if p) or words(N_("(no name)"))
    template = N_(
        "lead %(id)s %(name)s · %(source)s · %(country)s · %(language)s · %(treatment)s · "
        "received %(at)s"
    )
    return words(template) % {
        "id": lead.id,
        "name": name,
        "source": lead.source,
        "country": lead.country or "?",
        "language": lead.language or "?",
        "treatment": lead.treatment or words(N_("no treatment")),
        "at": say(at_moment(lead.received_at, zone), locale),
    }


def _why_not_lines(explained: _Explained, agent: str) -> list[tuple[str, str | None]]:
    from leadflow.locale.speech import say

    words = translations(explained.locale).gettext
    answer, found = explained.why_not, explained.found
    assert answer is not None
    lines: list[tuple[str, str | None]] = [
        (words(N_("why not %(agent)s?")) % {"agent": agent}, "bold")
    ]
    if found.routing is None:
        return [*lines, (words(N_("not routed yet")), None)]
    lines += [(say(reason, explained.locale), None) for reason in answer.reasons]
    owner = found.lead.owner_agent_key
    if owner != found.routing.agent_key:
        since = words(N_("since then the lead was reassigned to %(agent)s")) % {"agent": owner}
        lines.append((since, None))
    return lines


@friendly
def replay_command(
    start: Annotated[str, typer.Option("--from", help="first day, e.g. 2026-05-01")],
    end: Annotated[str, typer.Option("--to", help="last day (inclusive)")],
    config: Annotated[
        Path | None, typer.Option("--config", help="a draft configuration YAML to compare")
    ] = None,
    version: Annotated[
        int | None, typer.Option("--version", help="a stored configuration version to compare")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of tables")] = False,
) -> None:
    """Replay past leads as they happened (queue releases, SLA moves, staff changes) under the
    configurations then in force, and beside them a draft; nothing is stored."""
    import json

    from leadflow.services.assignment import replays
    from leadflow.services.configuration import versions as configuration

    draft = configuration.parse_yaml(read_text(str(config)), str(config)) if config else None
    since, until = parse_day(start), parse_day(end, end=True)
    if until <= since:
        raise typer.BadParameter(f"--to {end} is before --from {start}", param_hint="--to")
    try:
        replays.check_period(since, until)
    except replays.BadPeriod as bad:
        raise typer.BadParameter(str(bad), param_hint=f"--{bad.field}") from None

    async def work(store: Store) -> PeriodReport:
        return await replays.replay(
            store, start=since, end=until, draft=draft, draft_version=version
        )

    with console.status("replaying…"):
        try:
            result = run(with_store(work, commit=False))
        except replays.BadPeriod as bad:
            option = "--version" if bad.field == "draft_version" else f"--{bad.field}"
            raise typer.BadParameter(str(bad), param_hint=option) from None
    if result.leads == 0:
        raise Failure(f"no leads were received from {start} to {end}: nothing to replay")
    if as_json:
        print(json.dumps(result.to_dict(), indent=2, default=str))
        return
    from leadflow.cli.decisions.replay_tables import replay_tables

    for table in replay_tables(result):
        console.print(table)
