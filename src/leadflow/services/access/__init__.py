"""Who may do what: roles and scopes, users and their sessions, API tokens, sign-in throttling,
what a viewer may see of a lead and of a decision."""
