"""A decision told: its trace (the stored, JSON-serialisable record, and back), its full account
a line each (`leadflow explain`), and "why not this agent?"."""
