"""The worker side: dispatch queued executions, observe sandboxes, record events, recover, adopt."""
