"""The local sandbox backend: bubblewrap + a cgroup per execution + a seccomp filter.

Modules, in the order of one launch: `config` (settings), `prerequisites` (host checks),
`backend` (the backend: start, launch, self test), `warm` (the warm pool and its hand-over)
and `warmstart` (what a warm interpreter runs while it waits), `launching` (a cold or warm
sandbox's cgroup, command line and fork), `hierarchies` (finding and preparing a cgroup
hierarchy, creating a sandbox's cgroup), `cgroups` (one execution's cgroup, v1 and v2) over
`cgroupfs` (file I/O, signalling, polling), `commands` (the host prelude: join the cgroup,
rlimits, drop privileges, the inner stage), `bwrap` (the sandbox's command line and file
system), `seccomp` (the deny-list filter), `spawning` (the fork), `pipes` (fds between worker
and sandbox), `runtimes` (host interpreters), `handle` (one running sandbox, to its end).
"""

from service.adapters.sandbox.local.backend import LocalSandboxBackend
from service.adapters.sandbox.local.config import LocalBackendConfig

__all__ = ["LocalBackendConfig", "LocalSandboxBackend"]
