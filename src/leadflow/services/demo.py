"""The demo: the sample organisation and a month of realistic leads, routed as they arrived."""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import phonenumbers

from leadflow.demo import organisation_yaml, samples
from leadflow.demo.samples import SamplesMissing
from leadflow.domain.submission import LeadSubmission
from leadflow.services import demo_history
from leadflow.services.access import tokens
from leadflow.services.access.scoping import LEAST_PRIVILEGE
from leadflow.services.assignment import queue, sla
from leadflow.services.configuration import versions as configuration
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.demo_history import HistoryReport, Month
from leadflow.services.intake import ingest as intake
from leadflow.services.reporting import rollups
from leadflow.storage.database import Database
from leadflow.storage.store import Store, open_store

SEED = 20261123
TICK_MINUTES = 10
"""How often the demo's simulated worker releases the queue and checks SLAs."""
DEMO_FORM = "demo-landing"


@dataclass(frozen=True)
class DemoReport:
    summary: str
    token: str | None


# Market mix of a Turkish clinic group: (country, language, share, phone prefix, digits).
MARKETS = (
    ("DE", "de", 0.22, "+49151", 8), ("AT", "de", 0.04, "+43664", 7),
    ("CH", "de", 0.03, "+4179", 7), ("GB", "en", 0.16, "+447700", 6),
    ("IE", "en", 0.03, "+35385", 7), ("US", "en", 0.05, "+1202555", 4),
    ("SA", "ar", 0.09, "+96650", 7), ("AE", "ar", 0.06, "+97150", 7),
    ("KW", "ar", 0.02, "+9655", 7), ("RU", "ru", 0.07, "+7916", 7),
    ("KZ", "ru", 0.02, "+7701", 7), ("UA", "uk", 0.02, "+38067", 7),
    ("FR", "fr", 0.07, "+336", 8), ("BE", "fr", 0.02, "+32470", 6),
    ("NL", "nl", 0.03, "+316", 8), ("IT", "it", 0.02, "+39347", 7),
    ("TR", "tr", 0.05, "+90532", 7),
)  # fmt: skip
TREATMENTS = (
    ("hair_transplant", 0.45), ("dental", 0.22), ("aesthetic", 0.17),
    ("bariatric", 0.08), ("eye", 0.05), (None, 0.03),
)  # fmt: skip
SOURCES = (
    ("meta_lead_ads", 0.38), ("google_ads", 0.30), ("website", 0.17),
    ("whatsapp", 0.12), ("phone", 0.03),
)  # fmt: skip
# Leads per hour of the lead's local day (evenings peak after work).
HOURLY = (1, 1, 0.5, 0.3, 0.3, 0.4, 0.8, 1.5, 2.5, 3.2, 3.5, 3.6,
          3.8, 3.6, 3.4, 3.4, 3.6, 4.0, 4.6, 5.2, 5.4, 4.8, 3.5, 2.0)  # fmt: skip
FIRST_NAMES = {
    "de": ("Lena", "Jonas", "Mia", "Lukas", "Hannah", "Felix", "Sophie", "Paul"),
    "en": ("Olivia", "Jack", "Amelia", "Harry", "Emily", "George", "Grace", "Noah"),
    "ar": ("Mohammed", "Fatima", "Ahmed", "Aisha", "Khalid", "Noura", "Saad", "Reem"),
    "ru": ("Alexei", "Natalia", "Sergei", "Irina", "Ivan", "Olga", "Pavel", "Yulia"),
    "uk": ("Oksana", "Taras", "Iryna", "Andriy"),
    "fr": ("Camille", "Louis", "Chloé", "Hugo", "Léa", "Jules"),
    "nl": ("Daan", "Emma", "Sem", "Julia"),
    "it": ("Giulia", "Marco", "Chiara", "Luca"),
    "tr": ("Mehmet", "Zeynep", "Ahmet", "Elif"),
}
MESSAGES = {
    "de": "Guten Tag, ich interessiere mich für eine Behandlung und hätte gern ein Angebot.",
    "en": "Hello, I would like to know the price and how long I need to stay in Istanbul.",
    "ar": "مرحبا، أرغب في معرفة السعر ومدة الإقامة في إسطنبول",
    "ru": "Здравствуйте, сколько стоит процедура и сколько дней нужно пробыть в Стамбуле?",
    "fr": "Bonjour, je voudrais connaître le prix et la durée du séjour à Istanbul.",
}


def sample_leads(
    start: datetime, days: int, per_day: int, seed: int = SEED
) -> Iterator[LeadSubmission]:
    """Deterministic sample leads between `start` and `start + days`, in arrival order."""
    rng = random.Random(seed)
    arrivals = sorted(_arrival(rng, start, days) for _ in range(days * per_day))
    people: list[dict[str, Any]] = []
    for index, at in enumerate(arrivals):
        if people and rng.random() < 0.06:
            person = rng.choice(people)  # the same person writes again: a repeat
        else:
            person = _person(rng, index)
            people.append(person)
        yield _submission(rng, person, at, index)


def _arrival(rng: random.Random, start: datetime, days: int) -> datetime:
    day = rng.randrange(days)
    hour = rng.choices(range(24), weights=HOURLY)[0]
    return start + timedelta(days=day, hours=hour, seconds=rng.randrange(3600))


def _person(rng: random.Random, index: int) -> dict[str, Any]:
    country, language, _, prefix, digits = rng.choices(MARKETS, weights=[m[2] for m in MARKETS])[0]
    first = rng.choice(FIRST_NAMES.get(language, FIRST_NAMES["en"]))
    number = _valid_number(rng, prefix, digits)
    return {
        "country": country,
        "language": language,
        "first_name": first,
        "last_name": f"Demo{index:05d}",
        "phone": number,
        "email": f"{first.lower()}.{index}@example.org" if rng.random() < 0.7 else None,
    }


def _valid_number(rng: random.Random, prefix: str, digits: int) -> str:
    """A random number that phonenumbers accepts (some ranges of a prefix are unassigned)."""
    while True:
        number = f"{prefix}{rng.randrange(10 ** (digits - 1), 10**digits)}"
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number


def _submission(
    rng: random.Random, person: dict[str, Any], at: datetime, index: int
) -> LeadSubmission:
    source = rng.choices([s for s, _ in SOURCES], weights=[w for _, w in SOURCES])[0]
    treatment = rng.choices([t for t, _ in TREATMENTS], weights=[w for _, w in TREATMENTS])[0]
    campaign = f"{treatment or 'brand'}-{person['country'].lower()}-{at:%Y%m}"
    budget = rng.choice([None, 1500, 2500, 3500, 5000, 8000, 12000])
    fields: dict[str, Any] = {
        "source": source,
        "external_id": f"demo-{index}",
        "first_name": person["first_name"],
        "last_name": person["last_name"],
        "country": person["country"],
        "treatment": treatment,
        "budget": budget,
        "currency": "EUR" if budget else None,
        "created_at": at,
        "consent": True,
    }
    if source == "whatsapp":
        fields["whatsapp_id"] = person["phone"].lstrip("+")
    else:
        fields["phone"] = person["phone"]
        fields["email"] = person["email"]
    if source in ("meta_lead_ads", "google_ads"):
        fields.update(
            utm_source="facebook" if source == "meta_lead_ads" else "google",
            utm_medium="paid",
            utm_campaign=campaign,
            campaign_id=str(zlib.crc32(campaign.encode())),
        )
        fields["gclid" if source == "google_ads" else "fbclid"] = f"demo{index:08d}"
    if source == "meta_lead_ads":
        fields["locale"] = f"{person['language']}_{person['country']}"
    elif rng.random() < 0.5 and person["language"] in MESSAGES:
        fields["message"] = MESSAGES[person["language"]]
    else:
        fields["language"] = person["language"] if rng.random() < 0.5 else None
    return LeadSubmission.model_validate(fields)


async def ensure_configuration(store: Store) -> bool:
    """Apply the demo organisation when no configuration is active; True if it did."""
    if await store.configs.active_id() is not None:
        return False
    parsed = configuration.parse_yaml(organisation_yaml(), "organisation.yaml")
    await configuration.apply(store, parsed, actor="demo", comment="demo organisation")
    return True


async def ensure_form(store: Store) -> None:
    from leadflow.storage.tables import WebForm

    if await store.forms.get(DEMO_FORM) is None:
        await store.forms.add(
            WebForm(key=DEMO_FORM, name="Demo landing page", allowed_origins=[], defaults={})
        )


async def load(
    url: str,
    *,
    days: int,
    now: datetime,
    per_day: int = 150,
    progress: Callable[[int, int], None] = lambda done, total: None,
    history_progress: Callable[[int, int], None] = lambda done, total: None,
) -> DemoReport:
    database = Database(url, pool_size=2)
    try:
        async with open_store(database) as store:
            applied = await ensure_configuration(store)
            await ensure_form(store)
            # The README's curl submits a lead (its answer says where it went): intake only.
            issued = await tokens.issue(store, f"demo-{now:%Y%m%d%H%M%S}", LEAST_PRIVILEGE)
            existing = await store.leads.count()
            await store.commit()
        loaded = 0
        worked: HistoryReport | str | None = None
        if existing == 0:
            demo, missing = await _month(database, days=days, now=now)
            loaded = await _load_leads(
                database, demo, days=days, now=now, per_day=per_day, progress=progress
            )
            worked = missing
            if demo is not None:
                async with open_store(database) as store:
                    worked = await demo_history.write(store, demo, history_progress)
                    await store.commit()
        await rollups.refresh_organisation_rollups(database, LiveOrganisation(), now)
        parts = ["demo organisation applied" if applied else "configuration kept"]
        parts.append(f"{loaded} sample leads routed" if loaded else f"{existing} leads kept")
        parts.extend(_history_summary(worked))
        return DemoReport(summary="; ".join(parts), token=issued.secret)
    finally:
        await database.dispose()


async def _month(database: Database, *, days: int, now: datetime) -> tuple[Month | None, str]:
    """The month's shared setting; None (and why) when the shared data folder is absent: the
    leads are then routed without a sales history."""
    try:
        found = samples.read()
    except SamplesMissing as missing:
        return None, f"no sales history ({missing})"
    async with open_store(database) as store:
        organisation = await LiveOrganisation().get(store)
    start = _start(days, now) - timedelta(days=1)
    return demo_history.month(organisation, found, start=start, now=now, seed=SEED + 2), ""


def _history_summary(worked: HistoryReport | str | None) -> list[str]:
    if worked is None:
        return []
    if isinstance(worked, str):
        return [worked]
    return [
        f"{worked.activities} activities and {worked.tasks} tasks of sales work"
        f" ({worked.won} won, {worked.lost} lost)"
    ]


def _start(days: int, now: datetime) -> datetime:
    return (now - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)


async def _load_leads(
    database: Database,
    demo: Month | None,
    *,
    days: int,
    now: datetime,
    per_day: int,
    progress: Callable[[int, int], None],
) -> int:
    """Replay a month as it would have happened: each lead routed at its arrival, waiting leads
    released and missed first contacts reassigned as the simulated clock passes, and agents
    contacting most leads within minutes (each lead's first contact and closing come from its
    sales history, demo_history)."""
    start = _start(days, now)
    submissions = list(sample_leads(start, days, per_day))
    live = LiveOrganisation()
    done = 0
    last_tick: datetime | None = None
    for batch_start in range(0, len(submissions), 200):
        async with open_store(database) as store:
            for submission in submissions[batch_start : batch_start + 200]:
                at = submission.created_at
                assert at is not None
                organisation = await live.get(store)
                if demo is not None:
                    await demo_history.close_due(store, demo, at)
                tick = at.replace(minute=at.minute - at.minute % TICK_MINUTES, second=0)
                if tick != last_tick:  # the worker's minute ticks, coarser for speed
                    last_tick = tick
                    released = await queue.release(store, organisation, at)
                    for waited in released.leads:
                        if demo is not None:
                            await demo_history.settle(store, waited, demo)
                    await sla.enforce(store, organisation, at)
                result = await intake.ingest(store, submission, live=live, threshold=0.6, now=at)
                if demo is not None:
                    await demo_history.settle(store, result.lead, demo)
                done += 1
            await store.commit()
        progress(done, len(submissions))
    if demo is not None:
        async with open_store(database) as store:
            await demo_history.close_due(store, demo, now)
            await store.commit()
    return done


async def reset(url: str) -> None:
    """Drop everything Leadflow stored (demo only), so the next load starts empty."""
    from leadflow.storage.migrate import downgrade

    downgrade(url, "base")
