"""Who may come in: users, their web sessions and the sign-in throttle, API tokens, web forms, the
audit log and dead letters.
"""
