"""Choosing among a pool's eligible members: one function per strategy, the weighted-ratio
quota they and "why not" read, and the weighted-random baseline the routing bench compares with."""
