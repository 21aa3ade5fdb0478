"""`govsocial cluster` (N replicas behind HAProxy on this machine) and `govsocial haproxy-config` (the balancer's
configuration for replicas on other machines). The deploy layer loads only when one of them runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from server.settings import PROJECT_DIR, Settings

DEFAULT_RUN_DIR = PROJECT_DIR / "var" / "cluster"


def register(commands: argparse._SubParsersAction) -> None:
    """Add the two commands to the `govsocial` parser."""
    cluster = commands.add_parser(
        "cluster",
        help="N replicas of `serve` behind HAProxy on this machine, in the foreground (SIGHUP: rolling update)",
    )
    cluster.add_argument("--replicas", type=int, default=2, help="how many replicas (default 2)")
    cluster.add_argument("--port", type=int, default=8080, help="the balancer's public port (default 8080)")
    cluster.add_argument("--host", default="127.0.0.1", help="the balancer's address (default 127.0.0.1)")
    cluster.add_argument("--store", type=Path, help="store directory (default: GOVSOCIAL_STORE or var/store)")
    cluster.add_argument(
        "--run-dir", type=Path, default=DEFAULT_RUN_DIR, help="HAProxy's configuration and socket, the logs, the pid"
    )
    cluster.add_argument("--maxconn", type=int, default=1000, help="connections the balancer holds open in all")
    cluster.set_defaults(handler=_cluster)

    config = commands.add_parser(
        "haproxy-config", help="print deploy/haproxy.cfg filled in for replicas on other machines"
    )
    config.add_argument(
        "--replica", action="append", required=True, metavar="HOST:PORT", help="a replica's address (repeat)"
    )
    config.add_argument("--bind", default=":80", help="where the balancer listens, as HAProxy's `bind` (default :80)")
    config.add_argument("--socket", type=Path, default=Path("/run/haproxy/admin.sock"), help="the stats socket")
    config.add_argument("--maxconn", type=int, default=1000, help="connections the balancer holds open in all")
    config.set_defaults(handler=_haproxy_config)


def _cluster(args: argparse.Namespace) -> int:
    from server.cli.main import CommandFailed
    from server.deploy.cluster import Cluster
    from server.deploy.haproxy_config import DeployError

    settings = Settings({"store": args.store})
    try:
        cluster = Cluster(args.replicas, args.port, settings.store, args.run_dir.resolve(), args.host, args.maxconn)
        return cluster.run()
    except DeployError as error:
        raise CommandFailed(str(error)) from None


def _haproxy_config(args: argparse.Namespace) -> int:
    from server.cli.main import CommandFailed
    from server.deploy.haproxy_config import DeployError, parse_address, render, upstreams

    try:
        replicas = upstreams([parse_address(text) for text in args.replica])
        text = render(replicas, args.bind, args.socket, Settings(), args.maxconn)
    except DeployError as error:
        raise CommandFailed(str(error)) from None
    sys.stdout.write(text)
    return 0
