"""Side effects out: the transactional outbox and its deliveries."""
