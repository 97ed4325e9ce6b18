"""`leadflow explain` and `leadflow replay`: the commands (`decisions.py`) and the tables a period
replay is printed as (`replay_tables.py`)."""
