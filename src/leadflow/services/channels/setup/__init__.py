"""The admin's side of channels: connectors created, edited and disabled, the stored events listed,
replayed and forgotten with each connector's health, and "send a test event"."""
