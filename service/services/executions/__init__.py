"""Executions as a client sees them: submit, cancel, feed input, query, subscribe, repair."""
