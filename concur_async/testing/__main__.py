"""``python -m concur_async.testing serve``: run LocalConcur (a test double, not Concur).

Prints the base URL on the first line of standard output, then serves until Ctrl-C. A server
that cannot start (the port is taken, a bad option) says why in one line on standard error
and exits with status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import sys
from collections.abc import Sequence

from ._server import HOST, LocalConcur

__all__ = ["main"]

#: The list ``--list-items`` fills.
LIST_NAME = "LocalConcur list"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m concur_async.testing",
        description="LocalConcur: a local test double of SAP Concur on 127.0.0.1.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="serve until interrupted",
        description="Serve LocalConcur on 127.0.0.1 until Ctrl-C. Any client id, secret, "
        "refresh token, username and password is accepted unless the options below require "
        "some; a refresh token it has rotated away is refused, as Concur does.")
    serve.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    seeds = serve.add_argument_group("seed data (made up, the same on every start)")
    seeds.add_argument("--vendors", type=int, default=0, help="lazily generated vendors")
    seeds.add_argument("--reports", type=int, default=0, help="expense reports")
    seeds.add_argument("--purchase-orders", type=int, default=0,
                       help="purchase orders PO00000... with lines PO00000-1 and PO00000-2")
    seeds.add_argument("--list-items", type=int, default=0,
                       help=f"items ITEM00000... of a list named {LIST_NAME!r}")
    seeds.add_argument("--payment-requests", type=int, default=0,
                       help="payment requests (and their digests)")
    seeds.add_argument("--payments", type=int, default=0, help="Invoice Pay payments")
    seeds.add_argument("--travel-requests", type=int, default=0, help="travel requests")
    seeds.add_argument("--budget-items", type=int, default=0, help="budget items")
    auth = serve.add_argument_group("credentials (anything is accepted unless given)")
    auth.add_argument("--client-id", default=None, help="require this client id")
    auth.add_argument("--client-secret", default=None, help="require this client secret")
    auth.add_argument("--username", default=None,
                      help="require this user for the password grant (with --password)")
    auth.add_argument("--password", default=None, help="the password --username needs")
    auth.add_argument("--token-lifetime", type=float, default=3600.0, metavar="SECONDS")
    faults = serve.add_argument_group("faults (shares of requests, 0 to 1)")
    faults.add_argument("--latency-ms", type=float, default=0.0, help="added to every answer")
    faults.add_argument("--seed", type=int, default=0, help="seed of the fault decisions")
    faults.add_argument("--rate-limit", type=float, default=0.0, help="answer 429")
    faults.add_argument("--retry-after", type=float, default=1.0, metavar="SECONDS")
    faults.add_argument("--server-errors", type=float, default=0.0, help="answer 500/502/503")
    faults.add_argument("--drop", type=float, default=0.0, help="close mid-body")
    faults.add_argument("--malformed", type=float, default=0.0, help="cut the body short")
    faults.add_argument("--spike-ms", type=float, default=0.0)
    faults.add_argument("--spike-rate", type=float, default=0.0)
    faults.add_argument("--fault-prefix", default="", help="limit faults to this path prefix")
    return parser


class StartError(Exception):
    """Why the server cannot start, in one line."""


def _server(args: argparse.Namespace) -> LocalConcur:
    counts = ("vendors", "reports", "purchase_orders", "list_items", "payment_requests",
              "payments", "travel_requests", "budget_items")
    for name in counts:
        if getattr(args, name) < 0:
            raise StartError(f"--{name.replace('_', '-')} must be 0 or more")
    for name in ("rate_limit", "server_errors", "drop", "malformed", "spike_rate"):
        if not 0 <= getattr(args, name) <= 1:
            raise StartError(f"--{name.replace('_', '-')} is a share of requests, 0 to 1")
    if (args.username is None) != (args.password is None):
        raise StartError("--username and --password go together")
    if not 0 <= args.port <= 65535:
        raise StartError(f"--port must be between 0 and 65535, not {args.port}")
    concur = LocalConcur(
        vendors=args.vendors, latency_ms=args.latency_ms, token_lifetime=args.token_lifetime,
        client_id=args.client_id, client_secret=args.client_secret, seed=args.seed,
        port=args.port, users=None if args.username is None else {args.username: args.password},
    )
    concur.faults.set(
        rate_limit=args.rate_limit, retry_after=args.retry_after,
        server_error=args.server_errors, drop=args.drop, malformed=args.malformed,
        spike_ms=args.spike_ms, spike_rate=args.spike_rate, prefix=args.fault_prefix,
    )
    return concur


def _seed(concur: LocalConcur, args: argparse.Namespace) -> None:
    state = concur.state
    state.seed_reports(args.reports)
    state.seed_purchase_orders(args.purchase_orders)
    if args.list_items:
        state.seed_list(LIST_NAME, args.list_items)
    state.seed_payment_requests(args.payment_requests)
    state.seed_payments(args.payments)
    state.seed_travel_requests(args.travel_requests)
    state.seed_budget_items(args.budget_items)


async def _serve(args: argparse.Namespace) -> None:
    concur = _server(args)
    try:
        await concur.start()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise StartError(f"cannot listen on {HOST}:{args.port}: the port is in use "
                             "(--port 0 picks a free one)") from None
        raise StartError(f"cannot listen on {HOST}:{args.port}: "
                         f"{exc.strerror or exc}") from None
    try:
        _seed(concur, args)
        print(concur.base_url, flush=True)
        print("LocalConcur, a local test double of SAP Concur (not Concur); Ctrl-C stops it.",
              file=sys.stderr, flush=True)
        await asyncio.Event().wait()
    finally:
        await concur.stop()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve(args))
    except StartError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
