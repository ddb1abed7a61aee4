"""Sandbox backends behind one protocol (`service.services.sandbox_port`): local, kubernetes."""
