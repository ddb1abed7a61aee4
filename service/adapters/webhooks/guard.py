"""The SSRF guard: where a webhook may connect, decided on the address actually dialled.

A URL's host is resolved here, every address it resolves to is checked, and the connection
is made to the checked address itself (never to the name again), so a name that resolves
elsewhere on a second lookup (DNS rebinding) gains nothing. Refused: loopback, private,
link-local (cloud metadata at 169.254.169.254 among them), shared, reserved, multicast and
unspecified addresses, i.e. everything not globally routable, unless the operator allows the
URL's host by name or address (`PODRUN_WEBHOOK_ALLOW_HOSTS`).

`GuardedNetwork` is an httpcore network backend: the HTTP client asks it for every
connection it opens, so no path around the check exists. The resolver and the dialler it
wraps are parameters, which is how the tests prove it refuses without sending a packet.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpcore

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]


class AddressRefused(httpcore.ConnectError):
    """The host resolves to an address webhooks may not reach."""


async def resolve(host: str, port: int) -> list[IPAddress]:
    """The system resolver's TCP addresses for `host`."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0]) for info in infos]


class AddressPolicy:
    """Which (host, address) pairs a webhook may connect to."""

    def __init__(self, allow_hosts: Iterable[str] = ()) -> None:
        self._allowed = frozenset(h.strip().lower().strip("[]") for h in allow_hosts)

    def refusal(self, host: str, address: IPAddress) -> str | None:
        """Why connecting to `address` for `host` is refused, or None."""
        if host.lower().strip("[]") in self._allowed or str(address) in self._allowed:
            return None
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if address.is_global and not address.is_multicast:
            return None
        return (
            f"{host} resolves to {address}, a {_kind(address)} address; webhooks reach only "
            "public addresses unless PODRUN_WEBHOOK_ALLOW_HOSTS allows the host"
        )


def _kind(address: IPAddress) -> str:
    for kind in ("loopback", "unspecified", "link_local", "multicast", "private", "reserved"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    return "non-public"


class GuardedNetwork(httpcore.AsyncNetworkBackend):
    """Resolves, checks, then dials the checked address through `dial`."""

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        resolver: Resolver = resolve,
        dial: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._policy = policy
        self._resolve = resolver
        self._dial = dial or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        name = host.decode() if isinstance(host, bytes) else host
        try:
            addresses = await self._resolve(name.strip("[]"), port)
        except OSError as error:
            raise httpcore.ConnectError(f"cannot resolve {name}: {error}") from error
        if not addresses:
            raise httpcore.ConnectError(f"{name} resolves to no address")
        # Every address must pass: a name with one public and one private answer is refused.
        for address in addresses:
            reason = self._policy.refusal(name, address)
            if reason is not None:
                raise AddressRefused(reason)
        return await self._dial.connect_tcp(
            str(addresses[0]),
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("webhooks do not connect to unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._dial.sleep(seconds)
