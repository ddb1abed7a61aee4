"""The local sandbox backend: bubblewrap + a cgroup per execution + a seccomp filter.

Modules: `config` (settings), `prerequisites` (host checks), `hierarchies` (finding and
preparing a cgroup hierarchy), `cgroups` (one execution's cgroup, v1 and v2), `seccomp` (the
deny-list filter), `bwrap` (the sandbox's command line and file system), `commands` (the host
prelude: join the cgroup, rlimits, drop privileges), `pipes` (fds between worker and sandbox),
`runtimes` (host interpreters), `handle` (one running sandbox), `backend` (the backend).
"""

from service.adapters.sandbox.local.backend import LocalSandboxBackend
from service.adapters.sandbox.local.config import LocalBackendConfig

__all__ = ["LocalBackendConfig", "LocalSandboxBackend"]
