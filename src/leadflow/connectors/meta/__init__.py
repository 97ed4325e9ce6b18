"""Meta Lead Ads: the webhook's handshake and signature, its `leadgen` notifications, and the
Graph API the leads themselves are fetched from (notifications carry ids only)."""
