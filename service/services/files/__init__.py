"""Files of executions: kept in the blob store, given to sandboxes, handed to downloads."""
