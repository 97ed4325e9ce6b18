"""The sales workflow: stage moves, the activity model, tasks, automation rules, the pipeline
board and the data-quality view. The pure parts live in `leadflow.workflow`."""
