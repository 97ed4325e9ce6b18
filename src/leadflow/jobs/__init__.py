"""Background work on procrastinate: thin tasks that call services, periodic schedules, and the
worker (`leadflow worker`, or in-process beside `leadflow serve`). Jobs, locks and schedules
live in PostgreSQL, so any number of workers on any number of machines run each job once."""
