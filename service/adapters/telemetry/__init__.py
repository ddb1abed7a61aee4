"""OpenTelemetry tracing, Prometheus metrics and log correlation."""
