"""Work on a lead: which leads a viewer may see and act on, an agent's inbox and lead file,
activities (first contact), who is on shift."""
