"""`LeaseElector`: leader election on a `coordination.k8s.io/v1` Lease.

The holder renews `renewTime` every `renew_interval`; a candidate takes the lease over when
its holder is empty or the record has not changed for `lease_duration` *as measured on the
candidate's own clock* (like client-go: no trust in clock agreement between nodes). Every
write carries the resourceVersion it was based on, so two candidates cannot both win. A
leader that cannot renew within `renew_deadline` (shorter than the lease duration) stops
considering itself leader before anyone else may take over, and sets `lost`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import time
from dataclasses import dataclass

import aiohttp
from kubernetes_asyncio.client import (
    ApiClient,
    CoordinationV1Api,
    V1Lease,
    V1LeaseSpec,
    V1ObjectMeta,
)
from kubernetes_asyncio.client.exceptions import ApiException

logger = logging.getLogger(__name__)

_Errors = (ApiException, aiohttp.ClientError, TimeoutError)


def _micro_time(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass(frozen=True, slots=True)
class _Record:
    """What identifies one renewal of the lease, to notice that it changed."""

    holder: str | None
    renew_time: str | None
    resource_version: str | None


class LeaseElector:
    """`await acquire()` blocks until leading; `lost` is set when leadership ends."""

    def __init__(
        self,
        api_client: ApiClient,
        *,
        namespace: str,
        name: str,
        identity: str,
        lease_duration_seconds: float = 15.0,
        renew_interval_seconds: float = 5.0,
        renew_deadline_seconds: float | None = None,
        retry_interval_seconds: float = 2.0,
        request_timeout_seconds: float = 5.0,
    ) -> None:
        if renew_interval_seconds >= lease_duration_seconds:
            raise ValueError("the renew interval must be shorter than the lease duration")
        self._api = CoordinationV1Api(api_client)
        self._namespace = namespace
        self._name = name
        self.identity = identity
        self._duration = lease_duration_seconds
        self._renew_interval = renew_interval_seconds
        self._renew_deadline = renew_deadline_seconds or lease_duration_seconds * 2 / 3
        self._retry_interval = retry_interval_seconds
        self._timeout = request_timeout_seconds
        self._observed: _Record | None = None
        self._observed_at = 0.0
        self._resource_version: str | None = None
        self._renewer: asyncio.Task[None] | None = None
        self.lost = asyncio.Event()
        self._leading = False

    @property
    def is_leader(self) -> bool:
        return self._leading

    async def acquire(self) -> None:
        """Return once this process holds the lease; keeps renewing it in the background."""
        while True:
            if await self._try_acquire():
                break
            await asyncio.sleep(self._retry_interval)
        self._leading = True
        self.lost.clear()
        self._renewer = asyncio.create_task(self._keep_renewing(), name=f"lease-{self._name}")
        logger.info("%s leads %s/%s", self.identity, self._namespace, self._name)

    async def release(self) -> None:
        """Stop renewing and hand the lease back (it expires at once for the others)."""
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
            self._renewer = None
        if self._leading:
            self._leading = False
            with contextlib.suppress(*_Errors):
                await self._patch(
                    {
                        "holderIdentity": None,
                        "leaseDurationSeconds": 1,
                        "renewTime": _micro_time(_now()),
                    }
                )
        self.lost.set()

    async def _try_acquire(self) -> bool:
        try:
            lease = await self._api.read_namespaced_lease(
                self._name, self._namespace, _request_timeout=self._timeout
            )
        except ApiException as exc:
            if exc.status == 404:
                return await self._create()
            logger.warning("reading lease %s failed: %s", self._name, exc.reason)
            return False
        except (aiohttp.ClientError, TimeoutError) as exc:
            logger.warning("reading lease %s failed: %s", self._name, exc)
            return False

        spec = lease.spec or V1LeaseSpec()
        record = _Record(
            spec.holder_identity,
            _micro_time(spec.renew_time) if spec.renew_time else None,
            lease.metadata.resource_version if lease.metadata else None,
        )
        if record != self._observed:
            self._observed = record
            self._observed_at = time.monotonic()
        self._resource_version = record.resource_version
        duration = float(spec.lease_duration_seconds or self._duration)
        held_by_us = spec.holder_identity == self.identity
        expired = not spec.holder_identity or time.monotonic() >= self._observed_at + duration
        if not (held_by_us or expired):
            return False
        now = _micro_time(_now())
        changes: dict[str, object] = {
            "holderIdentity": self.identity,
            "leaseDurationSeconds": round(self._duration),
            "renewTime": now,
        }
        if not held_by_us:
            changes["acquireTime"] = now
            changes["leaseTransitions"] = (spec.lease_transitions or 0) + 1
        try:
            await self._patch(changes)
        except ApiException as exc:
            if exc.status != 409:
                logger.warning("taking lease %s failed: %s", self._name, exc.reason)
            return False
        except (aiohttp.ClientError, TimeoutError) as exc:
            logger.warning("taking lease %s failed: %s", self._name, exc)
            return False
        return True

    async def _create(self) -> bool:
        now = _now()
        body = V1Lease(
            api_version="coordination.k8s.io/v1",
            kind="Lease",
            metadata=V1ObjectMeta(name=self._name, namespace=self._namespace),
            spec=V1LeaseSpec(
                holder_identity=self.identity,
                lease_duration_seconds=round(self._duration),
                acquire_time=now,
                renew_time=now,
                lease_transitions=0,
            ),
        )
        try:
            created = await self._api.create_namespaced_lease(
                self._namespace, body, _request_timeout=self._timeout
            )
        except ApiException as exc:
            if exc.status != 409:  # 409: another candidate created it first
                logger.warning("creating lease %s failed: %s", self._name, exc.reason)
            return False
        except (aiohttp.ClientError, TimeoutError) as exc:
            logger.warning("creating lease %s failed: %s", self._name, exc)
            return False
        self._resource_version = created.metadata.resource_version if created.metadata else None
        return True

    async def _patch(self, spec: dict[str, object]) -> None:
        """A write based on the version we read: 409 Conflict if anyone wrote in between."""
        body: dict[str, object] = {"spec": spec}
        if self._resource_version is not None:
            body["metadata"] = {"resourceVersion": self._resource_version}
        lease = await self._api.patch_namespaced_lease(
            self._name, self._namespace, body, _request_timeout=self._timeout
        )
        self._resource_version = lease.metadata.resource_version if lease.metadata else None

    async def _keep_renewing(self) -> None:
        last_renewed = time.monotonic()
        while True:
            await asyncio.sleep(self._renew_interval)
            try:
                renewed = await self._renew()
            except _Errors as exc:
                logger.warning("renewing lease %s failed: %s", self._name, exc)
                renewed = None
            if renewed is False:
                break  # someone else holds it now
            if renewed:
                last_renewed = time.monotonic()
            elif time.monotonic() - last_renewed >= self._renew_deadline:
                break
        logger.warning("%s lost the lease %s", self.identity, self._name)
        self._leading = False
        self.lost.set()

    async def _renew(self) -> bool | None:
        """True: renewed; False: the lease is someone else's; None: try again."""
        try:
            await self._patch({"renewTime": _micro_time(_now())})
        except ApiException as exc:
            if exc.status != 409:
                raise
            lease = await self._api.read_namespaced_lease(
                self._name, self._namespace, _request_timeout=self._timeout
            )
            if lease.spec is None or lease.spec.holder_identity != self.identity:
                return False
            self._resource_version = lease.metadata.resource_version if lease.metadata else None
            return None
        return True
