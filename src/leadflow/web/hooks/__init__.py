"""Vendor webhooks: where Meta, Google Ads, WhatsApp and Twilio deliver. One module per vendor,
each a router under /hooks/{vendor}/{connector}. Each checks the vendor's signature or key in
constant time (403, nothing stored, when wrong), parses the delivery into receipts, stores them
(`services.channels.pipeline.inbound.receive`), commits, and only then answers 200.

A vendor's router is added to `router` here."""

from __future__ import annotations

from fastapi import APIRouter

from leadflow.web.hooks import google_ads, meta, twilio, whatsapp

router = APIRouter(prefix="/hooks", tags=["webhooks"])
router.include_router(google_ads.router)
router.include_router(meta.router)
router.include_router(whatsapp.router)
router.include_router(twilio.router)
