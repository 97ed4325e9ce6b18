"""The pipeline board: stages as columns, open leads as cards, moved by dragging."""
