"""What the router reads and claims (agent loads, pool state, assignments) and what a period replay
reads of the past.
"""
