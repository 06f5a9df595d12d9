"""``client.revoke()``: the documented DELETE, then the token forgotten."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from concur_async import APIError, PasswordGrant

if TYPE_CHECKING:
    from conftest import MockConcur

REVOKE = "/app-mgmt/v0/connections"
USERS = "/api/v3.0/common/users"


async def test_revoke_sends_the_users_token_and_forgets_it(concur: MockConcur) -> None:
    revoke = concur.route("DELETE", REVOKE, concur.reply(body=b"", content_type="text/plain"))
    users = concur.route("GET", USERS)
    grant = PasswordGrant(concur.client_id, concur.client_secret, concur.username,
                          concur.password)
    async with concur.client(auth=grant) as client:
        await client.request("GET", USERS)
        await client.revoke()
        assert client.token_manager.token is None
        assert [hit.authorization for hit in revoke.hits] == [
            f"Bearer {concur.access_token(1)}"
        ]
        assert revoke.hits[0].data is None  # the documented request has no body
        # The next call does not reuse the revoked token: it starts a new grant.
        await client.request("GET", USERS)
    assert concur.token_requests == 2
    assert concur.token_hits[1].data["grant_type"] == "password"
    assert users.hits[-1].authorization == f"Bearer {concur.access_token(2)}"


async def test_failed_revoke_keeps_the_token_for_a_retry(concur: MockConcur) -> None:
    concur.route("DELETE", REVOKE, concur.reply({"Message": "nope"}, status=400))
    async with concur.client() as client:
        with pytest.raises(APIError) as caught:
            await client.revoke()
        assert caught.value.status == 400
        assert caught.value.method == "DELETE"
        assert client.token_manager.token is not None
