"""The sales workflow's pure core: which fields a stage still misses, who acted, the automation
engine (events in, planned actions out), patient time zones. No I/O; `now` is passed in."""
