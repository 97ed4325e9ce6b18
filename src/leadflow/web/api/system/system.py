"""Health, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from leadflow.services.reporting import health
from leadflow.web.deps import StoreDep

router = APIRouter(tags=["system"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The database answers and a configuration is active")
async def readyz(db: StoreDep, response: Response) -> dict[str, object]:
    report = await health.readiness(db)
    response.status_code = 200 if report["ready"] else 503
    return report


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
