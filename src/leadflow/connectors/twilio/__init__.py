"""Twilio Programmable Voice: the signed voice webhook and status callbacks (decision 0012).

Pure: the signature check, the parsing of a callback into a call event, a call's events into
one call, and the TwiML answer. No I/O; times are passed in."""
