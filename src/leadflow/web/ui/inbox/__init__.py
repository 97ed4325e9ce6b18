"""The inbox: an agent's leads, a lead's page, activities and stage changes."""
