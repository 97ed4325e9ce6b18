"""One lead's story as it unfolds: the owner's attempts and calls, the chat between the steps,
the stage changes (by the owner or by the demo's automations), tasks, and the cut at `now`.

`log` writes the rows (and keeps the clock), `plot` says what happens, `ending` cuts the story
at `now` and settles its tasks."""

from leadflow.demo.story.ending import Ending
from leadflow.demo.story.plot import Plot


class Story(Plot, Ending):
    """`Story(lead, owner, start, setting, rng)`, then `bot_chat()`, `unreachable()` or
    `reached(fate)`, then `finish(fate)`."""
