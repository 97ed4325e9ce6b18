"""Who gets a lead: routing new leads, reassignment, the queue, SLA moves, staff changes,
simulation and the periodic turns."""
