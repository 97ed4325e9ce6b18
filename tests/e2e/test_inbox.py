"""The agent's inbox in a real browser: a lead posted to the API appears live, without a reload,
and the agent logs a call from the lead's page, which stops the first-contact clock."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Person, Site, Visit
from tests.e2e.test_web import assert_clean

CAMPAIGN = "inbox-e2e"
LIVE_WAIT_MS = 15_000


async def _route_campaign_to_anna(
    url: str, campaign: str, stages: list[Any] | None, fields: list[Any]
) -> str:
    """A token for the lead API, and a rule that sends the campaign's leads to Anna Schmidt:
    from her own pool when she is on shift, as the on-call agent when she is not, so the test
    does not depend on the hour it runs at. The campaign's pipeline has `stages` (the default
    ones when None); `fields` are added to the configuration's."""
    from leadflow.domain.configuration import (
        Caps,
        NoAgentPolicy,
        Pipeline,
        Pool,
        PoolMember,
        Rule,
    )
    from leadflow.services.access import tokens
    from leadflow.services.access.scoping import ALL_SCOPES
    from leadflow.services.configuration import versions as configuration
    from leadflow.storage.database import Database
    from leadflow.storage.store import open_store

    database = Database(url, pool_size=1)
    try:
        async with open_store(database) as store:
            active = await store.configs.active()
            assert active is not None
            live = configuration.validate(active.document)
            pipeline = Pipeline(
                key=campaign,
                name=f"Browser test {campaign}",
                team="german",
                pool=Pool(strategy="round_robin", members=[PoolMember(agent="anna.schmidt")]),
                when_no_agent=NoAgentPolicy(action="on_call", agent="anna.schmidt"),
                **({"stages": stages} if stages is not None else {}),
            )
            rule = Rule(
                key=campaign,
                priority=1,
                pipeline=campaign,
                when={"field": "utm_campaign", "op": "equals", "value": campaign},
            )
            changed = live.model_copy(
                update={
                    "pipelines": [*live.pipelines, pipeline],
                    "rules": [rule, *live.rules],
                    "fields": [*live.fields, *fields],
                    # Every browser test's leads go to Anna: no daily cap may stop the later ones.
                    "agents": [
                        a.model_copy(update={"caps": Caps()}) if a.key == "anna.schmidt" else a
                        for a in live.agents
                    ],
                }
            )
            await configuration.apply(store, changed, actor="e2e", comment=f"{campaign} rule")
            issued = await tokens.issue(store, f"e2e-{campaign}-{uuid.uuid4().hex[:8]}", ALL_SCOPES)
            await store.commit()
            return issued.secret
    finally:
        await database.dispose()


def campaign_token(
    e2e_database: tuple[str, list[Person]],
    campaign: str,
    *,
    stages: list[Any] | None = None,
    fields: list[Any] | None = None,
) -> str:
    """`_route_campaign_to_anna` on the browser tests' database, in a thread of its own."""
    from leadflow.storage.embedded import sqlalchemy_url

    url, _ = e2e_database
    routed = _route_campaign_to_anna(sqlalchemy_url(url), campaign, stages, fields or [])
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, routed).result()


@pytest.fixture(scope="module")
def api_token(e2e_database: tuple[str, list[Person]]) -> str:
    return campaign_token(e2e_database, CAMPAIGN)


def served(site: Site, token: str, campaign: str) -> None:
    """Wait until the server routes by the version that added `campaign`'s rule (a server
    learns of a version another process activated within a second or two)."""
    lead = {"source": "website", "phone": "+49 151 23456789", "utm_campaign": campaign}
    deadline = time.monotonic() + 15
    while True:
        answer = httpx.post(
            f"{site.base_url}/api/v1/simulate",
            headers={"Authorization": f"Bearer {token}"},
            json={"lead": lead},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        if answer.json()["decision"].get("pipeline") == campaign:
            return
        assert time.monotonic() < deadline, f"the server never routed by {campaign}'s rule"
        time.sleep(0.2)


def post_lead(
    site: Site, token: str, first_name: str, campaign: str = CAMPAIGN, email: str | None = None
) -> int:
    """A lead routed to Anna; from a new person unless `email` is one already known."""
    served(site, token, campaign)
    answer = httpx.post(
        f"{site.base_url}/api/v1/leads",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "source": "website",
            "first_name": first_name,
            "last_name": "Live",
            "email": email or f"{first_name.lower()}.{uuid.uuid4().hex[:8]}@example.org",
            "country": "DE",
            "language": "de",
            "treatment": "hair_transplant",
            "utm_campaign": campaign,
        },
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["assignment"]["agent_key"] == "anna.schmidt", body["assignment"]
    lead_id: int = body["id"]
    return lead_id


def reassign(site: Site, token: str, lead_id: int, agent: str) -> None:
    answer = httpx.post(
        f"{site.base_url}/api/v1/leads/{lead_id}/reassign",
        headers={"Authorization": f"Bearer {token}"},
        json={"agent": agent, "reason": "browser test: Jonas takes it"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def test_a_lead_reassigned_away_leaves_the_inbox_live(
    visit: Visit, site: Site, api_token: str
) -> None:
    visit.sign_in("agent")
    expect(visit.page.locator("[data-live-status]")).to_have_text(
        "New leads appear here as they arrive."
    )
    lead_id = post_lead(site, api_token, "Moritz")
    row = visit.page.locator(f"#lead-{lead_id}")
    expect(row).to_be_visible(timeout=LIVE_WAIT_MS)
    reassign(site, api_token, lead_id, "jonas.weber")
    expect(row).to_have_count(0, timeout=LIVE_WAIT_MS)
    assert_clean(visit)


def test_a_posted_lead_appears_live_and_the_agent_logs_a_call(
    visit: Visit, site: Site, api_token: str
) -> None:
    visit.sign_in("agent")
    inbox = visit.page.locator("table.inbox")
    expect(inbox).to_be_visible()
    # The stream is open once the page says so; a lead posted before might arrive unseen.
    expect(visit.page.locator("[data-live-status]")).to_have_text(
        "New leads appear here as they arrive."
    )
    visit.page.evaluate("window.leadflowNotReloaded = true")

    lead_id = post_lead(site, api_token, "Greta")

    row = visit.page.locator(f"#lead-{lead_id}")
    expect(row).to_be_visible(timeout=LIVE_WAIT_MS)
    expect(row).to_contain_text("Greta Live")
    clock = row.locator(".sla")
    expect(clock).to_contain_text("left")
    shown = clock.inner_text()
    if clock.get_attribute("data-sla-running") == "1":
        expect(clock).not_to_have_text(shown, timeout=3_000)  # it ticks in the browser
    else:  # posted outside the team's hours (the site runs on the real clock): it waits
        visit.page.wait_for_timeout(1_500)
        expect(clock).to_have_text(shown)
        expect(clock).to_have_attribute("title", re.compile(r"^First contact due "))
    assert visit.page.evaluate("window.leadflowNotReloaded") is True  # no reload happened
    visit.screenshot("inbox-agent-live")
    assert_clean(visit)

    row.get_by_role("link", name="Greta Live").click()
    expect(visit.page.get_by_role("heading", level=1)).to_have_text("Greta Live")
    expect(
        visit.page.get_by_role("heading", name="Why this lead went to this agent")
    ).to_be_visible()
    visit.page.get_by_label("Talk").fill("ten")
    visit.page.get_by_role("button", name="Save", exact=True).click()
    expect(visit.page.locator("#talk-problem")).to_contain_text("minutes and seconds")
    # The refusal is an HTTP 422, which the browser reports; nothing else may be reported.
    assert [e for e in visit.console_errors if "422" not in e] == []
    visit.console_errors.clear()
    visit.page.get_by_label("What happened").select_option("call")
    visit.page.get_by_label("Outcome").select_option("answered")
    visit.page.get_by_label("Talk").fill("3:00")
    visit.page.get_by_label("Text").fill("Interested; sends photos tonight")
    visit.page.get_by_role("button", name="Save", exact=True).click()
    expect(visit.page.get_by_role("status")).to_contain_text(
        "This was the first contact: the SLA clock has stopped."
    )
    history = visit.page.get_by_role("region", name="Timeline")
    expect(history).to_contain_text("Interested; sends photos tonight")
    expect(visit.page.locator("#lead-work .sla-done")).to_have_text("Contacted")
    visit.screenshot("inbox-lead-detail")
    assert_clean(visit)


def test_a_team_lead_opens_their_agents_inbox_but_not_another_teams(visit: Visit) -> None:
    visit.sign_in("team_lead")
    visit.go("/inbox")
    visit.page.get_by_label("Agent").select_option("anna.schmidt")
    visit.page.get_by_role("button", name="Open inbox").click()
    expect(visit.page.get_by_role("heading", level=1)).to_have_text("Inbox of Anna Schmidt")
    expect(visit.page.locator("table.inbox tbody tr").first).to_be_visible()
    # Her live stream opens with the team lead's session too.
    expect(visit.page.locator("[data-live-status]")).to_have_text(
        "New leads appear here as they arrive."
    )
    visit.screenshot("inbox-team-lead")
    assert_clean(visit)
    response = visit.go("/inbox?agent=sarah.jones")
    assert response is not None
    assert response.status == 403
