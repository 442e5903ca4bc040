"""The `reports` command's end-user side: sign in, ask for reports and watch them,
manage jobs, orders and schedules from a terminal or a script, without GraphQL.

Client side only: it talks to a running service through client.reports.Reports.
"""
