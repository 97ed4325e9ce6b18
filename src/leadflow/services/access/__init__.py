"""Who may do what: roles and token scopes, users and their sessions, API tokens, sign-in
throttling, and what a viewer may see of a routing decision."""
