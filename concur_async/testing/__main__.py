"""``python -m concur_async.testing serve``: run LocalConcur (a test double, not Concur).

Prints the base URL on the first line of standard output, then serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence

from ._server import LocalConcur

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m concur_async.testing",
        description="LocalConcur: a local test double of SAP Concur on 127.0.0.1.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve until interrupted")
    serve.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    serve.add_argument("--vendors", type=int, default=0, help="lazily generated seed vendors")
    serve.add_argument("--payment-requests", type=int, default=0,
                       help="seeded payment requests (and digests)")
    serve.add_argument("--payments", type=int, default=0, help="seeded Invoice Pay payments")
    serve.add_argument("--latency-ms", type=float, default=0.0)
    serve.add_argument("--token-lifetime", type=float, default=3600.0, metavar="SECONDS")
    serve.add_argument("--client-id", default=None, help="require this client id")
    serve.add_argument("--client-secret", default=None, help="require this client secret")
    serve.add_argument("--seed", type=int, default=0, help="seed of the fault decisions")
    faults = serve.add_argument_group("faults (shares of requests, 0 to 1)")
    faults.add_argument("--rate-limit", type=float, default=0.0, help="answer 429")
    faults.add_argument("--retry-after", type=float, default=1.0, metavar="SECONDS")
    faults.add_argument("--server-errors", type=float, default=0.0, help="answer 500/502/503")
    faults.add_argument("--drop", type=float, default=0.0, help="close mid-body")
    faults.add_argument("--malformed", type=float, default=0.0, help="cut the body short")
    faults.add_argument("--spike-ms", type=float, default=0.0)
    faults.add_argument("--spike-rate", type=float, default=0.0)
    faults.add_argument("--fault-prefix", default="", help="limit faults to this path prefix")
    return parser


async def _serve(args: argparse.Namespace) -> None:
    concur = LocalConcur(
        vendors=args.vendors, latency_ms=args.latency_ms, token_lifetime=args.token_lifetime,
        client_id=args.client_id, client_secret=args.client_secret, seed=args.seed,
        port=args.port,
    )
    concur.faults.set(
        rate_limit=args.rate_limit, retry_after=args.retry_after,
        server_error=args.server_errors, drop=args.drop, malformed=args.malformed,
        spike_ms=args.spike_ms, spike_rate=args.spike_rate, prefix=args.fault_prefix,
    )
    async with concur:
        concur.state.seed_payment_requests(args.payment_requests)
        concur.state.seed_payments(args.payments)
        print(concur.base_url, flush=True)
        print("LocalConcur, a local test double of SAP Concur (not Concur); Ctrl-C stops it.",
              file=sys.stderr, flush=True)
        await asyncio.Event().wait()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
