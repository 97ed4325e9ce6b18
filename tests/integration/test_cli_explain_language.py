"""`leadflow explain` in the reader's language: every line in Turkish with `--lang tr` (or the
organisation's `locale`, or the terminal's), and a clear refusal of a language it does not
speak."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from typer.testing import CliRunner, Result

from leadflow.cli import app
from leadflow.domain.configuration import Configuration
from leadflow.domain.submission import LeadSubmission
from leadflow.services.configuration import versions as configuration
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.intake import ingest as intake
from leadflow.storage.database import Database
from leadflow.storage.store import open_store
from tests import factories
from tests.integration.test_ui_turkish import english_in

NOW = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)  # a Tuesday, 11:00 in Istanbul
WEIGHTED = "ağırlıklı oran: 1 uygun kişi arasında en çok krediye anna sahipti (1,00 müşteri adayı)"


def clinic(locale: str | None = None) -> Configuration:
    """Anna takes German leads; Ben speaks only Turkish, Cem is paused: two exclusions."""
    agents = [
        factories.agent("anna"),
        factories.agent("ben", languages=["tr"]),
        factories.agent("cem", status="paused"),
    ]
    return factories.in_istanbul(factories.organisation(agents), locale)


async def apply(database: Database, config: Configuration) -> int:
    async with open_store(database) as store:
        version = await configuration.apply(store, config, actor="test")
        await store.commit()
        return version


async def invoke(database_url: str, *args: str, **environment: str) -> Result:
    terminal = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": "C", **environment}
    runner = CliRunner(env={"LEADFLOW_DATABASE_URL": database_url, "COLUMNS": "200", **terminal})
    return await asyncio.to_thread(runner.invoke, app, list(args))


async def german_lead(database: Database) -> str:
    """One German lead, routed by the real intake and engine; its id."""
    body = factories.lead_body(language="de", country="DE")
    async with open_store(database) as store:
        routed = await intake.ingest(
            store, LeadSubmission.model_validate(body), live=LiveOrganisation(), threshold=0.6,
            now=NOW,
        )  # fmt: skip
        await store.commit()
    return str(routed.lead.id)


async def test_explain_in_turkish_has_no_english_line(
    committed: Database, database_url: str
) -> None:
    version = await apply(committed, clinic())
    lead = await german_lead(committed)
    shown = await invoke(database_url, "explain", lead, "--lang", "tr", "--agent", "ben")
    assert shown.exit_code == 0, shown.output
    lines = [line.strip() for line in shown.output.splitlines()]
    assert lines[1:] == [
        "hair-de satış hattında havuz yoluyla anna kişisine atandı",
        f"Neden: {WEIGHTED}",
        "Kural: everything eşleşti (denenenler: everything ✓)",
        "Satış hattı hair-de (ağırlıklı oran): 3 aday, 1 uygun",
        "ben elendi — dil: ben de konuşmuyor (konuştukları: tr)",
        "cem elendi — duraklatılmış: cem duraklatıldı",
        "uygun: anna",
        f"anna seçildi: {WEIGHTED}",
        f"Yapılandırma sürümü {version}, karar zamanı Sal 12 May 11:00 Europe/Istanbul",
        "neden ben değil?",
        "hair-de hattında ben dil nedeniyle elendi: ben de konuşmuyor (konuştukları: tr)",
    ]
    assert lines[0].startswith("müşteri adayı ")
    assert english_in(shown.output) == []


async def test_explain_in_english_reads_as_before(committed: Database, database_url: str) -> None:
    await apply(committed, clinic())
    lead = await german_lead(committed)
    shown = await invoke(database_url, "explain", lead, "--lang", "en")
    assert shown.exit_code == 0, shown.output
    assert "Assigned to anna via pool in pipeline hair-de" in shown.output
    assert "excluded ben — language: ben does not speak de (speaks tr)" in shown.output


async def test_explain_speaks_the_organisations_language_by_default(
    committed: Database, database_url: str
) -> None:
    await apply(committed, clinic(locale="tr"))
    lead = await german_lead(committed)
    shown = await invoke(database_url, "explain", lead, LANG="en_US.UTF-8")
    assert shown.exit_code == 0, shown.output
    assert "Neden: ağırlıklı oran:" in shown.output
    overridden = await invoke(database_url, "explain", lead, "--lang", "en")
    assert "Why: weighted ratio:" in overridden.output


async def test_without_an_organisation_language_explain_speaks_the_terminals(
    committed: Database, database_url: str
) -> None:
    await apply(committed, clinic())
    lead = await german_lead(committed)
    turkish = await invoke(database_url, "explain", lead, LANG="tr_TR.UTF-8")
    assert "Neden: ağırlıklı oran:" in turkish.output
    german = await invoke(database_url, "explain", lead, LANG="de_DE.UTF-8")
    assert "Why: weighted ratio:" in german.output


async def test_a_language_explain_does_not_speak_is_refused_naming_the_option(
    committed: Database, database_url: str
) -> None:
    refused = await invoke(database_url, "explain", "1", "--lang", "de")
    assert refused.exit_code == 2, refused.output
    assert "--lang" in refused.output
    assert "'de' is not a language Leadflow speaks; choose en or tr" in refused.output


async def test_the_roster_reads_in_turkish_with_lang(
    committed: Database, database_url: str
) -> None:
    weekdays = {day: "09:00-17:00" for day in ("mon", "tue", "wed", "thu", "fri")}
    await apply(committed, factories.organisation([factories.agent("anna", schedule={
        "weekly": weekdays})]))  # fmt: skip
    sunday = "2026-05-10T12:00:00+00:00"
    shown = await invoke(database_url, "roster", "--at", sunday, "--lang", "tr")
    assert shown.exit_code == 0, shown.output
    # A table wraps its cells to the terminal's width: its words, in whichever lines.
    words = set(shown.output.split())
    assert {"listesi", "yok", "dışında;", "sonraki", "Pzt"} <= words
    assert english_in(shown.output) == []
    refused = await invoke(database_url, "roster", "--team", "nosuch", "--lang", "tr")
    assert refused.exit_code == 1, refused.output
    assert "'nosuch' adlı takım yok; takımlar: german" in refused.output
