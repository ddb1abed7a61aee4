"""Leader election on Kubernetes Leases, so one worker replica watches and dispatches."""

from service.adapters.leases.electing import LeaseElector

__all__ = ["LeaseElector"]
