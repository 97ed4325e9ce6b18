"""Configuration → Versions: history, the difference between two versions, rollback."""

from __future__ import annotations

from fastapi import HTTPException
from fastapi.responses import RedirectResponse, Response

from leadflow.services.access import scoping
from leadflow.services.configuration import versions as config_service
from leadflow.services.configuration.versions import UnknownVersion
from leadflow.services.reporting import overview
from leadflow.web.params import VersionNumber, VersionQuery
from leadflow.web.ui.shell.context import PageDep
from leadflow.web.ui.shell.routers import page_router

router = page_router("/config/versions")


@router.get("")
async def version_list(page: PageDep) -> Response:
    scoping.require(scoping.can_view_versions(page.viewer), "configuration versions")
    return page.render(
        "config/versions.html",
        section="versions",
        versions=await overview.versions(page.store),
        can_roll_back=scoping.can_roll_back(page.viewer),
    )


@router.get("/{version}")
async def version_diff(
    page: PageDep, version: VersionNumber, against: VersionQuery | None = None
) -> Response:
    """What `version` changed compared with `against` (default: the version before it)."""
    scoping.require(scoping.can_view_versions(page.viewer), "configuration versions")
    versions = await overview.versions(page.store)
    earlier = [v.id for v in versions if v.id < version]
    base = against if against is not None else (max(earlier) if earlier else None)
    try:
        new_document = await config_service.document_of(page.store, version)
        old_document = await config_service.document_of(page.store, base) if base else {}
    except UnknownVersion:
        raise HTTPException(404) from None
    text = config_service.diff(
        old_document,
        new_document,
        old_name=f"version {base}" if base else "(empty)",
        new_name=f"version {version}",
    )
    return page.render(
        "config/version.html",
        section="versions",
        version=next((v for v in versions if v.id == version), None),
        base=base,
        versions=versions,
        lines=text.splitlines(),
        can_roll_back=scoping.can_roll_back(page.viewer),
    )


@router.post("/{version}/rollback")
async def version_rollback(page: PageDep, version: VersionNumber) -> Response:
    scoping.require(scoping.can_roll_back(page.viewer), "configuration rollback")
    try:
        new = await config_service.rollback(page.store, version, actor=page.viewer.actor)
    except UnknownVersion:
        page.flash(page.gettext("Version %(number)s does not exist.", number=version), "error")
        return RedirectResponse("/config/versions", status_code=303)
    await page.store.commit()
    page.flash(
        page.gettext("Version %(old)s is live again, as version %(new)s.", old=version, new=new)
    )
    return RedirectResponse("/config/versions", status_code=303)
