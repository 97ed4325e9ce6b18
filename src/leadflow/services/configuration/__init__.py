"""The versioned configuration: apply, diff, roll back, the compiled live organisation, and the
screens' edits."""
