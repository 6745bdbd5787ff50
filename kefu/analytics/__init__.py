"""Service metrics, volume forecasting and staffing: pure computations.

The store reduces a window to a ``WindowStats`` with SQL aggregates (``kefu.store.analytics_repo``);
``aggregates.aggregate`` defines the same numbers on plain records, and ``report.overview`` turns
either into the dashboard's JSON. Nothing here knows about SQL or HTTP, so every number the
dashboard shows can be checked on hand-made data.
"""
