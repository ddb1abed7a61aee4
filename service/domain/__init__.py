"""Pure domain model: statuses, limits, verdicts and events. No I/O, no frameworks."""
