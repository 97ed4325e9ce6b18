"""What an inbound event goes through: receipt (`inbound`), processing from a job (with backoff,
dead letters), the processors' registry type, the lead a channel produced into intake, and the
connectors' sealed secrets processing opens. Imports nothing of the other rooms."""
