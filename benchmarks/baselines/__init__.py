"""What an integration without the SDK would write, each plainly and fairly.

- ``aiohttp_msgspec``: an expert's hand-written loop: aiohttp, NextPage followed by hand,
  pages decoded by msgspec into structs the expert declared.
- ``requests_json``: the common script: requests, ``json.loads`` to dicts, one call at a time.
- ``httpx_pydantic``: httpx.AsyncClient with pydantic models.

Each module fetches its own token from the server's OAuth2 endpoint, as its author would.
The harness imports them lazily: a baseline whose library is missing is reported as skipped
(install ``.[bench]``).
"""
