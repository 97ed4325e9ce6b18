"""The dashboards' read models: live reads, the daily rollups and their trends."""
