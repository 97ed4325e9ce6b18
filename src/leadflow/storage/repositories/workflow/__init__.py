"""The sales work on leads: tasks, the pipeline board, data quality, the automations' runs and the
past leads their dry run reads.
"""
