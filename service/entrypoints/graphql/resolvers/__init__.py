"""Query, mutation and subscription roots, one module per domain."""
