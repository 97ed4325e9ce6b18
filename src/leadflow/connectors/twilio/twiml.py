"""The TwiML that answers the voice webhook: forward the call, or say a short message."""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement, tostring

STATUS_EVENTS = "initiated ringing answered completed"


def forward(number: str, *, status_url: str, timeout_s: int = 20) -> str:
    """Dial `number`; its leg reports every status event to `status_url`."""
    response = Element("Response")
    dial = SubElement(response, "Dial", timeout=str(timeout_s), answerOnBridge="true")
    target = SubElement(
        dial,
        "Number",
        statusCallbackEvent=STATUS_EVENTS,
        statusCallback=status_url,
        statusCallbackMethod="POST",
    )
    target.text = number
    return _document(response)


def say(text: str, *, language: str | None = None) -> str:
    response = Element("Response")
    said = SubElement(response, "Say", attrib={"language": language} if language else {})
    said.text = text
    return _document(response)


def _document(response: Element) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>' + tostring(response, encoding="unicode")
