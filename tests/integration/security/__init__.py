"""The security review's reproductions (issue 14), each replayed against the real service.

1. The public form endpoint returned other people's leads: test_public_forms.
2. One bad request stalled a server process (unconfigured logging): tests/unit/test_logging.py,
   and bench/bad_input.py measures it.
3. 500s on malformed input (NaN, 1e400, huge integers, surrogates, deep JSON, ids beyond their
   columns): test_bad_input, test_openapi_contract (schemathesis over the whole OpenAPI).
4. An activity in year 1 broke a lead's history; 5. first contact could be backdated:
   test_activity_times.
6. Formula injection into exports: tests/integration/test_ui_dashboards.py
   (test_a_formula_in_a_campaign_is_exported_as_inert_text), tests/unit/web/
   test_spreadsheet_cells.py.
7. No size limits, no rate limit on the anonymous endpoint: test_public_forms, test_bad_input.
8. Simulation showed a team lead other teams: test_trace_scoping.
9. Sessions survived sign-out; a default secret: test_sessions, tests/unit/test_cli_serve.py.
10. Sign-in without throttling: test_signin_throttle.
11. Tokens without scopes, webhooks to internal addresses, colleagues in an agent's trace:
    test_token_scopes, test_webhook_addresses, notifications/test_webhooks.py (delivery-time
    checks), test_trace_scoping.
12. Dead workers' jobs: test_stalled_jobs; plain 500 in an outage: test_database_outage;
    Secure cookie and HSTS: test_sessions; spec against behaviour: test_openapi_contract;
    an endless stream: notifications/test_live_events.py.
"""
