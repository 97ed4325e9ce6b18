"""The configuration screens (teams, shifts, leave, pipelines, rules, agents, versions) and
what they share: the screen renderer, form readers, saving and the words for codes."""
