"""Adapters: storage, the event bus, sandbox backends, telemetry."""
