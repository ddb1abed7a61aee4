"""Limit defaults, ranges and field-named violations."""

from __future__ import annotations

import math

from service.domain.limits import LimitPolicy, Limits, LimitsRequest, LimitViolation


def test_none_means_defaults() -> None:
    assert LimitPolicy().resolve(None) == Limits()
    assert LimitPolicy().resolve(LimitsRequest()) == Limits()


def test_partial_request_keeps_other_defaults() -> None:
    limits = LimitPolicy().resolve(LimitsRequest(memory_mib=256))
    assert limits == Limits(memory_mib=256)


def test_out_of_range_names_the_field_and_the_range() -> None:
    violation = LimitPolicy().resolve(LimitsRequest(cpu_millicores=5))
    assert isinstance(violation, LimitViolation)
    assert violation.field == "limits.cpuMillicores"
    assert "between 10 millicores and 2000 millicores" in violation.message


def test_non_finite_timeout_is_rejected() -> None:
    for bad in (math.inf, math.nan):
        violation = LimitPolicy().resolve(LimitsRequest(timeout_seconds=bad))
        assert isinstance(violation, LimitViolation)
        assert violation.field == "limits.timeoutSeconds"


def test_server_maximums_are_configurable() -> None:
    policy = LimitPolicy(maximums=Limits(timeout_seconds=2))
    assert isinstance(policy.resolve(LimitsRequest(timeout_seconds=3)), LimitViolation)
    assert policy.resolve(LimitsRequest(timeout_seconds=2)) == Limits(timeout_seconds=2)
