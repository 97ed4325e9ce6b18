"""Work on a lead: an agent's inbox and lead file, activities (first contact), who is on shift."""
