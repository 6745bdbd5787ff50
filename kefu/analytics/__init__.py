"""Service metrics, volume forecasting and staffing: pure computations over plain records.

The store fetches the rows (``kefu.store.analytics_repo``); nothing here knows about SQL or HTTP,
so every number the dashboard shows can be checked on hand-made data.
"""
