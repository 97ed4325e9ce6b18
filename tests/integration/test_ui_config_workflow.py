"""Configuration → Pipelines' stages and lost reasons, and Configuration → Workflow fields: a
pipeline saved from its form keeps every stage's type, name and required fields and its lost
reasons; an impossible set of stages is refused naming the field; fields are added, refused when
malformed, and not removed while a stage requires them. Each save is a version (diff, rollback)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest_asyncio

from leadflow.services.configuration import versions as configuration
from leadflow.storage.store import Store
from tests.integration.test_ui_board import workflow_configuration
from tests.integration.test_ui_config_screens import active, entry, problem_of
from tests.integration.ui import EMAILS, Scenario, sign_in


class FormReader(HTMLParser):
    """What a browser sends for the first form posting to `action`, unchanged: its inputs'
    values, checked boxes, selected options (several for a multiple select) and textareas."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.done = False
        self.fields: list[tuple[str, str]] = []
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form" and not self.done:
            self.inside = found.get("action") == self.action
        if not self.inside:
            return
        name = found.get("name")
        if tag == "input" and name:
            if found.get("type") not in ("checkbox", "radio") or "checked" in found:
                self.fields.append((name, found.get("value", "")))
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in found:
            self.fields.append((self.select, found.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields.append((name, ""))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            name, text = self.fields.pop()
            self.fields.append((name, text + data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside, self.done = False, True
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def form_fields(page: str, action: str) -> list[tuple[str, str]]:
    reader = FormReader(action)
    reader.feed(page)
    assert reader.fields, f"no form posting to {action}"
    return reader.fields


def changed(fields: list[tuple[str, str]], **values: str | list[str]) -> list[tuple[str, str]]:
    """The form's fields with `values` instead (a list for a multiple select; [] for none)."""
    kept = [(name, value) for name, value in fields if name not in values]
    for name, value in values.items():
        kept += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
    return kept


_FORM = {"content-type": "application/x-www-form-urlencoded"}


def _encoded(fields: list[tuple[str, str]]) -> bytes:
    return urlencode(fields).encode()


@pytest_asyncio.fixture
async def workflow(store: Store, scenario: Scenario) -> int:
    """The workflow organisation, with hair-de's own lost reasons; its version."""
    document: dict[str, Any] = workflow_configuration().model_dump(
        mode="json", exclude_defaults=True
    )
    hair = next(p for p in document["pipelines"] if p["key"] == "hair-de")
    hair["lost_reasons"] = [{"key": "price", "name": "Too expensive"}, "unreachable"]
    # A configured field before a built-in one: the form keeps the order.
    hair["stages"][3] = {"key": "offer_sent", "requires": ["travel_month", "email"]}
    version = await configuration.apply(
        store, configuration.validate(document), actor="test", comment="workflow"
    )
    await store.commit()
    return version


async def hair_form(web: httpx.AsyncClient) -> list[tuple[str, str]]:
    return form_fields(
        (await web.get("/config/pipelines/hair-de")).text, "/config/pipelines/hair-de"
    )


async def test_saving_a_pipeline_keeps_its_stages_and_lost_reasons(
    web: httpx.AsyncClient, store: Store, workflow: int
) -> None:
    _, before = await active(store)
    await sign_in(web, EMAILS["admin"])
    fields = changed(await hair_form(web), sla_minutes="12")
    answer = await web.post("/config/pipelines/hair-de", content=_encoded(fields), headers=_FORM)
    assert answer.status_code == 303, answer.text
    version, after = await active(store)
    assert version == workflow + 1
    old, new = entry(before, "pipelines", "hair-de"), entry(after, "pipelines", "hair-de")
    assert new["sla"]["first_contact_minutes"] == 12
    assert new["stages"] == old["stages"]
    assert new["lost_reasons"] == old["lost_reasons"]
    qualified = next(s for s in new["stages"] if s["key"] == "qualified")
    assert qualified["requires"] == ["treatment", "budget_range", "travel_month"]
    assert new["stages"][3] == {"key": "offer_sent", "requires": ["travel_month", "email"]}
    assert {"key": "won", "name": "Treated", "type": "won"} in new["stages"]


async def test_stage_rows_add_rename_reorder_and_require(
    web: httpx.AsyncClient, store: Store, workflow: int
) -> None:
    await sign_in(web, EMAILS["admin"])
    fields = changed(
        await hair_form(web),
        **{
            "stage-1-name": "Reached",  # contacted
            "stage-4-requires": ["budget", "currency"],  # booked
            "stage-7-key": "consult",  # a blank row: a new stage…
            "stage-7-position": "1.5",  # …right after new
            "reason-2-key": "no_show",
            "reason-2-name": "Did not come",
            "stage-6-key": "",  # lost is removed
        },
    )
    answer = await web.post("/config/pipelines/hair-de", content=_encoded(fields), headers=_FORM)
    assert answer.status_code == 303, answer.text
    _, document = await active(store)
    stages = entry(document, "pipelines", "hair-de")["stages"]
    assert [s["key"] for s in stages] == [
        "new", "consult", "contacted", "qualified", "offer_sent", "booked", "won",
    ]  # fmt: skip
    assert stages[2] == {"key": "contacted", "name": "Reached"}
    assert stages[5] == {"key": "booked", "requires": ["budget", "currency"]}
    reasons = entry(document, "pipelines", "hair-de")["lost_reasons"]
    assert reasons[-1] == {"key": "no_show", "name": "Did not come"}


async def test_an_impossible_set_of_stages_is_refused_naming_the_field(
    web: httpx.AsyncClient, store: Store, workflow: int
) -> None:
    await sign_in(web, EMAILS["admin"])
    form = await hair_form(web)
    cases = [
        ({"stage-0-type": "won", "stage-5-type": "open"}, "stages", "must be open"),
        ({"stage-3-key": "contacted"}, "stage-3-key", "Another row has this key"),
        ({"reason-0-key": "", "reason-1-key": ""}, "lost_reasons", "needs at least one lost"),
        ({"stage-2-requires": ["shoe_size"]}, "stage-2-requires", "Choose fields from the list"),
        ({"stage-1-key": "Contacted!"}, "stage-1-key", "lower-case letters"),
    ]
    for values, field, message in cases:
        sent = changed(form, **values)
        answer = await web.post("/config/pipelines/hair-de", content=_encoded(sent), headers=_FORM)
        assert answer.status_code == 422, field
        assert message in problem_of(answer.text, field)
    assert await store.configs.active_id() == workflow


async def test_a_pipeline_save_shows_in_the_versions_diff_and_rolls_back(
    web: httpx.AsyncClient, store: Store, workflow: int
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    fields = changed(await hair_form(web), **{"stage-2-name": "Sales qualified"})
    answer = await web.post("/config/pipelines/hair-de", content=_encoded(fields), headers=_FORM)
    assert answer.status_code == 303
    edited = await store.configs.active_id()
    diff = (await web.get(f"/config/versions/{edited}")).text
    assert "Sales qualified" in diff
    rolled = await web.post(f"/config/versions/{workflow}/rollback", data={"csrf_token": token})
    assert rolled.status_code == 303
    _, document = await active(store)
    assert document == await configuration.document_of(store, workflow)


# --- workflow fields ---------------------------------------------------------------------------


async def fields_form(web: httpx.AsyncClient) -> list[tuple[str, str]]:
    return form_fields((await web.get("/config/fields")).text, "/config/fields")


async def test_an_administrator_adds_a_field_as_a_new_version(
    web: httpx.AsyncClient, store: Store, workflow: int
) -> None:
    await sign_in(web, EMAILS["admin"])
    fields = changed(
        await fields_form(web),
        **{"field-2-key": "clinic_visit", "field-2-name": "Clinic visit", "field-2-type": "date"},
    )
    answer = await web.post("/config/fields", content=_encoded(fields), headers=_FORM)
    assert answer.status_code == 303, answer.text
    version, document = await active(store)
    assert version == workflow + 1
    assert document["fields"] == [
        {"key": "budget_range", "name": "Budget range", "type": "choice",
         "choices": ["under 2k", "2k-5k", "over 5k"]},
        {"key": "travel_month", "name": "Travel month", "type": "month"},
        {"key": "clinic_visit", "name": "Clinic visit", "type": "date"},
    ]  # fmt: skip
    assert "Clinic visit" in (await web.get("/config/pipelines/hair-de")).text  # requirable


async def test_malformed_fields_are_named_and_nothing_saved(
    web: httpx.AsyncClient, store: Store, workflow: int
) -> None:
    await sign_in(web, EMAILS["admin"])
    form = await fields_form(web)
    cases = [
        ({"field-2-key": "size", "field-2-type": "choice"}, "field-2-choices", "List the choices"),
        ({"field-1-choices": "May, June"}, "field-1-choices", "Only a field of the type choice"),
        ({"field-2-key": "budget"}, "field-2-key", "own fields; choose another key"),
        ({"field-2-key": "travel_month"}, "field-2-key", "Another row has this key"),
        ({"field-1-key": ""}, "fields", "travel_month is required by the stage qualified"),
    ]
    for values, field, message in cases:
        answer = await web.post(
            "/config/fields", content=_encoded(changed(form, **values)), headers=_FORM
        )
        assert answer.status_code == 422, field
        assert message in problem_of(answer.text, field)
    assert await store.configs.active_id() == workflow


async def test_fields_are_read_by_team_leads_and_changed_by_administrators_only(
    web: httpx.AsyncClient, workflow: int
) -> None:
    await sign_in(web, EMAILS["team_lead"])
    page = await web.get("/config/fields")
    assert page.status_code == 200
    assert "<fieldset disabled>" in page.text
    token = form_fields(page.text, "/config/fields")
    answer = await web.post("/config/fields", content=_encoded(token), headers=_FORM)
    assert answer.status_code == 403
    web.cookies.clear()
    await sign_in(web, EMAILS["agent"])
    assert (await web.get("/config/fields")).status_code == 403
