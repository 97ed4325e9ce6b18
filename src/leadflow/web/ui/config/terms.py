"""The words for the configuration screens' codes (policies, strategies, operators…)."""

from __future__ import annotations

from leadflow.web.ui.shell.i18n import N_

TERMS: dict[str, dict[str, str]] = {
    "leave_policy": {
        "keep_with_backup": N_("Keep the leads; the backup works them meanwhile"),
        "redistribute": N_("Route the open leads again through the pool"),
    },
    "strategy": {
        "weighted_ratio": N_("Weighted ratio"),
        "least_loaded": N_("Least loaded"),
        "round_robin": N_("Round robin"),
        "tier": N_("By performance tier"),
    },
    "no_agent": {
        "queue": N_("Queue until someone is on shift"),
        "virtual_consultant": N_("Hand to a virtual consultant"),
        "on_call": N_("Assign to the on-call agent"),
        "alert": N_("Alert the team lead"),
    },
    "owner_away": {
        "backup": N_("The owner's backup"),
        "pool": N_("The pool"),
    },
    "leave_type": {
        "annual": N_("Annual leave"),
        "sick": N_("Sick leave"),
        "training": N_("Training"),
        "other": N_("Other"),
    },
    "weekday": {
        "mon": N_("Monday"),
        "tue": N_("Tuesday"),
        "wed": N_("Wednesday"),
        "thu": N_("Thursday"),
        "fri": N_("Friday"),
        "sat": N_("Saturday"),
        "sun": N_("Sunday"),
    },
    "operator": {
        "equals": N_("equals"),
        "in": N_("is one of"),
        "not_in": N_("is none of"),
        "prefix": N_("starts with"),
        "pattern": N_("matches the pattern"),
        "range": N_("is between"),
        "exists": N_("is filled in"),
    },
}
