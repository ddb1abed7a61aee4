"""Sandbox backends behind one protocol (`service.services.ports.sandbox`): local, kubernetes."""
