"""Attacks on the host's network: the service's port, the store's port, anything on
loopback (TCP, UDP, IPv6, abstract unix sockets)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator

import pytest

from tests.adversarial.conftest import attack
from tests.support.client import Api
from tests.support.servers import PodrunProcess, StoreProcess

CONNECT = """
import socket, subprocess, sys
def attempt(family, kind, address):
    try:
        with socket.socket(family, kind) as sock:
            sock.settimeout(2)
            sock.connect(address)
            sock.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n")
        return "CONNECTED"
    except OSError as error:
        return f"{{type(error).__name__}} {{error.errno}}"
print(attempt(socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", {port})))
print(attempt(socket.AF_INET, socket.SOCK_DGRAM, ("127.0.0.1", {port})))
print(attempt(socket.AF_INET6, socket.SOCK_STREAM, ("::1", {port})))
# A child process inherits the same filter.
child = subprocess.run([sys.executable, "-c", "import socket; socket.socket()"],
                       capture_output=True, text=True)
print("child", child.returncode, child.stderr.strip().splitlines()[-1])
"""


@pytest.fixture
def bystander() -> Iterator[socket.socket]:
    """Some other service on the host's loopback."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        yield listener


@pytest.mark.parametrize("target", ["service", "store", "bystander"])
async def test_loopback_ports_are_unreachable(
    api: Api,
    server: PodrunProcess,
    store: StoreProcess,
    bystander: socket.socket,
    target: str,
) -> None:
    port = {"service": server.port, "store": store.port, "bystander": bystander.getsockname()[1]}[
        target
    ]
    execution = await attack(api, CONNECT.format(port=port))
    assert execution["status"] == "COMPLETED", execution
    assert execution["stdout"] == (
        "PermissionError 1\nPermissionError 1\nPermissionError 1\n"
        "child 1 PermissionError: [Errno 1] Operation not permitted\n"
    )
    with pytest.raises(BlockingIOError):
        bystander.accept()


async def test_abstract_unix_sockets_of_the_host_are_unreachable(api: Api) -> None:
    name = f"podrun-adversarial-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind("\0" + name)
        listener.listen()
        listener.setblocking(False)
        script = f"""
import socket
try:
    socket.socket(socket.AF_UNIX).connect("\\0{name}")
    print("CONNECTED")
except OSError as error:
    print(type(error).__name__)
"""
        execution = await attack(api, script)
        # A network namespace of its own: the host's abstract names do not exist there.
        assert (execution["status"], execution["stdout"]) == (
            "COMPLETED",
            "ConnectionRefusedError\n",
        )
        with pytest.raises(BlockingIOError):
            listener.accept()
