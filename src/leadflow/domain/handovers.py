"""Why a lead changed hands, as its history tells it: the templates of the reasons written by
the first-contact SLA, staff changes, the queue and the automations (beside the engine's own,
in `leadflow.domain.reasons`, which merges them into its `TEMPLATES`).

Each code's English template is the msgid of its translations; the writer stores the code and
its parameters in the history entry's trace (`handover`) beside the English words, and pages
render them in the reader's language with `say()`. A parameter that is itself a reason (an
agent's leave, an age, a moment) is written the reader's way too.

Also the titles of the tasks Leadflow creates by itself (`TASK_TITLES`).

No imports from `reasons` (which imports this module): only the words.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a template for extraction into the catalog; it is translated where it is shown."""
    return message


HANDOVER_TEMPLATES: dict[str, str] = {
    # the first-contact SLA
    "sla.missed_due": N_("%(agent)s missed the first-contact SLA due %(due)s"),
    "sla.missed": N_("%(agent)s missed the first-contact SLA"),
    "sla.limit_reached": N_(
        "SLA missed by %(agent)s; already reassigned %(count)s times (the limit): team lead alerted"
    ),
    "sla.kept": N_("SLA missed by %(agent)s; nobody else is eligible now: kept, team lead alerted"),
    "sla.kept_last": N_(
        "SLA missed by %(agent)s; nobody else is eligible now, %(count)s deadlines missed: "
        "kept, team lead alerted, no more automatic moves"
    ),
    # staff changes
    "staff.left": N_("%(agent)s left the company"),
    "staff.on_leave": N_("%(agent)s is on leave"),
    "staff.kept_by_backup": N_("%(away)s: kept by the backup %(backup)s"),
    "staff.held_by_backup": N_(
        "%(away)s: kept by the backup %(backup)s, returns to %(agent)s after the leave"
    ),
    "staff.rerouted": N_("%(away)s: routed again through the pool"),
    "staff.queued": N_("%(away)s; nobody else is eligible now: queued"),
    "staff.back": N_("%(agent)s is back from leave"),
    # the queue
    "queue.released": N_("released from the queue after %(age)s"),
    "queue.first_routing": N_("routed once a configuration was active"),
    "age.minutes": N_("%(minutes)s min"),
    "age.hours": N_("%(hours)s h %(minutes)s min"),
    "age.days": N_("%(days)s days"),
    # automations: a rule's reassignment, and why a rule's run changed nothing
    "automation.reassigned": N_("reassigned by automation %(automation)s"),
    "automation.reassigned_away": N_("reassigned away from %(agent)s by automation"),
    "automation.too_deep": N_("automations nested deeper than %(depth)s (a loop of rules?)"),
    "automation.no_pipeline_minutes": N_("the lead has no pipeline to count working minutes in"),
    "automation.no_owner": N_("the lead has no owner to notify"),
    "automation.no_team": N_("the lead has no pipeline, so no team lead to notify"),
    "automation.not_open": N_("only an open lead in a pipeline can be routed again"),
    "automation.nobody_eligible": N_("nobody else is eligible for the lead now"),
    "automation.move_refused": N_("the lead cannot move to stage %(stage)s (%(problems)s)"),
    "automation.invalid": N_("a value the automation sets does not fit (%(problems)s)"),
    "automation.no_working_time": N_("no working time to count the task's due time in"),
}
"""Every handover code's English template, the msgid of its translations."""

TASK_TITLES: dict[str, str] = {
    "task.missed_call": N_("Call back: missed call"),
}
"""Titles of the tasks Leadflow creates by itself (a channel's own title is the organisation's
words): stored in English, shown in the reader's language (`titled`)."""


def titled(title: str) -> str | None:
    """The code of a task title of ours (None for anyone else's words)."""
    return _TITLE_CODES.get(title)


_TITLE_CODES = {english: code for code, english in TASK_TITLES.items()}
