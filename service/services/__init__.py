"""The use cases, grouped by concern; `docs/architecture.md` draws the layers between them.

`usecases` bundles what the entrypoints call; `executions` (submit, cancel, input, queries,
subscriptions) and `accounts` serve clients; `worker` claims and runs executions; `ports` are
the protocols the adapters implement; `problems` and `clock` are shared by all.
"""
