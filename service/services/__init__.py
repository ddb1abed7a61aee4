"""Use cases: submit, cancel, dispatch, observe, query, subscribe, recover."""
