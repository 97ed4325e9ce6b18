"""Working on leads over the API: the leads list, activities and the queue, tasks, stage moves,
data quality and a lead's WhatsApp conversation."""
