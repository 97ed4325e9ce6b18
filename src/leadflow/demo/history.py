"""A demo lead's month of sales work: calls, messages, e-mails, notes, CSAT answers, tasks and
stage changes, drawn from real samples. Pure: the same lead, samples, seed and `now` always give
the same history, whatever order the leads are generated in (each lead has its own generator).

Where the numbers come from:
- Funnel (samples.Funnel, Maven's CRM pipeline): the share of leads reached (Maven's Engaging),
  the share of the ended ones won (the rest lost), and the engage-to-close days, paced by PACE
  (a clinic's patients decide faster than Maven's B2B buyers). Every reached lead's story ends
  won or lost; those that end after `now` are open, as Maven's open deals are the ones its
  snapshot cut. Where a lost lead stops among Contacted, Qualified, Offer sent and Booked is
  not in Maven's data: STOP_WEIGHTS says it.
- Calls (samples.ServedCall, the Technion call log): talk time, the caller's queue wait
  (inbound calls) and the seconds before the call connected (outbound ring); unanswered
  attempts ring as long as the log's abandoned callers waited.
- UNTOUCHED (leads nobody calls, which the first-contact SLA then reassigns), ANSWER_RATE,
  CSAT_RESPONSE and the CSAT scores are the demo's own assumptions.

Events after `now` are cut: a lead whose story ends next week is open today, at the stage its
story has reached.
"""

from __future__ import annotations

import random

from leadflow.demo.records import Fate, LeadFacts, LeadHistory, Setting
from leadflow.demo.samples import Funnel
from leadflow.demo.story import Story

UNTOUCHED = 0.06
"""Share of leads nobody calls (the first-contact SLA then reassigns them)."""


def lead_random(seed: int, lead_id: int) -> random.Random:
    return random.Random(f"{seed}:{lead_id}")


def fate(rng: random.Random, funnel: Funnel) -> Fate:
    """Where the lead's story ends, at the funnel's rates (before `now` cuts it)."""
    if rng.random() < UNTOUCHED:
        return Fate.UNTOUCHED
    if rng.random() >= funnel.reach_rate:
        return Fate.UNREACHABLE
    return Fate.WON if rng.random() < funnel.won_share else Fate.LOST


def history(lead: LeadFacts, setting: Setting) -> LeadHistory | None:
    """The lead's history up to `now`; None for a lead nobody owns."""
    if lead.owner is None or lead.assigned_at is None:
        return None
    rng = lead_random(setting.seed, lead.id)
    ending = fate(rng, setting.samples.funnel)
    story = Story(lead, lead.owner, lead.assigned_at, setting, rng)
    if lead.bot:
        story.bot_chat()
    elif ending is Fate.UNREACHABLE:
        story.unreachable()
    elif ending is not Fate.UNTOUCHED:
        story.reached(ending)
    return story.finish(ending)
