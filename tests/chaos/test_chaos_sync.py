"""A vendor bulk sync through a hostile server ends exactly where it should.

The same faults as the streaming run strike every route, writes included: a 429 or a 5xx refuses
a batch before Concur applies it (some with an absurd ``Retry-After``, which the client raises
at once and the sync waits out to the policy's cap); a cut connection or a 200 cut in half loses
the answer of a batch Concur did apply. The sync must still leave the server holding exactly the
desired vendors, and its report must agree with the server's own write log: every create, update
and delete counted once, none missing, none applied twice.
"""

from __future__ import annotations

import pytest

from .harness import FULL_SYNC, Profile, SyncPlan, scaled, sync_vendors_under_faults

pytestmark = pytest.mark.chaos


async def test_bulk_sync_under_faults_reaches_the_desired_state_exactly() -> None:
    size = scaled(FULL_SYNC, minimum=400)
    plan = SyncPlan(size)
    batch_size = 50
    profile = Profile(token_lifetime=1.0, expire_every=0.5, absurd_retry_after=0.02,
                      first_writes=("rate_limit", "server_error", "drop", "malformed"))
    figures, report, difference, writes = await sync_vendors_under_faults(
        size, batch_size=batch_size, profile=profile,
    )
    print(figures.summary())
    assert difference == []  # the server holds the desired vendors, field for field
    assert figures.server_errors == 0
    assert sum(figures.faults.values()) > 0
    assert {k for k in ("rate_limit", "server_error", "drop", "malformed")
            if figures.faults.get(k)} == {"rate_limit", "server_error", "drop", "malformed"}
    absurd = "absurd Retry-After answered (raised at once, waited out to the cap by the sync)"
    assert figures.extra[absurd] > 0  # met, and the sync neither hung nor lost a record

    # The report, the plan and the server's write log agree on every count.
    assert report.ok, report.failures[:3]
    assert report.failed == 0
    assert (report.created, report.updated, report.deleted, report.unchanged) == (
        plan.created, plan.updated, plan.deleted, plan.unchanged)
    assert (len(writes["create"]), len(writes["update"]), len(writes["delete"])) == (
        report.created, report.updated, report.deleted)
    # Each write confirmed exactly once, even those whose answer was cut off.
    assert figures.duplicated == 0
    for op, counts in writes.items():
        assert all(n == 1 for n in counts.values()), op
    assert sum(figures.extra["answers cut off, by route"].values()) > 0
