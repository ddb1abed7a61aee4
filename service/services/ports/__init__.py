"""The ports: what the services need from the outside world, as protocols the adapters implement."""
