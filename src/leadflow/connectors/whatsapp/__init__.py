"""WhatsApp Cloud API: the webhook's `whatsapp_business_account` notifications (messages and
the statuses of what we sent) and the Messages API replies are sent through."""
