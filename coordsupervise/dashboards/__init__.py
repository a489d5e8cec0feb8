"""The cohort dashboards, the at-risk rules (sharing cohort_scope.py) and the chart builders (pure functions:
rows in, plotly figure out)."""
