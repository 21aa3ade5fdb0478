"""The `govsocial` command: build the store, query it, serve it, import, report and export.

Each command loads only the layers it needs: `query` reads the store through the engine and never loads the
build (rdflib) or Flask; `build` loads the build; `serve` the web layer.
"""

from __future__ import annotations

import argparse
import errno
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from server.cli import artifact, cluster
from server.cli.render import FORMAT_NAMES, FormatMismatch, render
from server.engine.query import QuerySyntaxError, run_query
from server.engine.querytext import QueryTooDeep
from server.settings import SETTINGS, Settings, SettingsError
from server.store.builds import StoreNotBuilt, open_store

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
UNCHANGED = "The previous store, if any, is unchanged."


class CommandFailed(Exception):
    """A command could not do its work; the message is written for the user already."""


#: Failures whose message is written for the user already.
_OWN_MESSAGES = (CommandFailed, StoreNotBuilt, FormatMismatch, QueryTooDeep, RuntimeError)
#: How the engine (RocksDB), SQLite and the OS word a full disk; the engine's errors carry no errno.
_DISK_FULL = ("No space left on device", "Disk quota exceeded", "database or disk is full")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["import"]:  # its own parser takes every option, --list and --help included
        return _run_import(argv[1:])
    if argv[:1] == ["curate"]:
        return _run_curate(argv[1:])
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return _fail(args.command, "interrupted", EXIT_INTERRUPTED)
    except Exception as error:  # each failure becomes one line a user can act on, never a traceback
        return _fail(args.command, explain(error), EXIT_USAGE)


def explain(error: Exception) -> str:
    """What went wrong, in one line, and where we know it what to do about it.

    Every failure of build, query and serve passes through here, so a user never has to read a traceback.
    """
    detail = str(error)
    if isinstance(error, OSError) and error.strerror:  # the engine's errors have only their message
        detail = f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    if isinstance(error, QuerySyntaxError):
        return f"syntax error: {detail}"
    if isinstance(error, SettingsError):
        return f"configuration error: {detail}"
    if isinstance(error, UnicodeDecodeError):
        byte = error.object[error.start]
        return f"the input is not UTF-8 text (byte {byte:#04x} at offset {error.start}); save it as UTF-8"
    if getattr(error, "errno", None) in (errno.ENOSPC, errno.EDQUOT) or any(s in detail for s in _DISK_FULL):
        return f"the disk is full ({detail}); free some space, or build into a --store on another disk"
    if getattr(error, "errno", None) == errno.EFBIG or "File too large" in detail:
        return f"a file exceeds the size limit ({detail}); raise the file-size limit (ulimit -f) or use another disk"
    if isinstance(error, sqlite3.Error):
        return f"the search index cannot be written ({detail}); check the disk the store is on"
    if isinstance(error, MemoryError):
        return "out of memory; close other programs or use a machine with more memory"
    if isinstance(error, (OSError, *_OWN_MESSAGES)):
        return detail
    return f"unexpected {type(error).__name__}: {detail}"


def _fail(command: str, message: str, status: int) -> int:
    """Print the failure as one line (engine messages may hold newlines); a failed build changed nothing."""
    print(f"govsocial {command}: {' '.join(message.split())}", file=sys.stderr)
    if command == "build":
        print(UNCHANGED, file=sys.stderr)
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govsocial", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    build_cmd = commands.add_parser("build", help="validate ontology/ and data/, then load them into a new store")
    build_cmd.add_argument("--store", type=Path, help="store directory (default: GOVSOCIAL_STORE or var/store)")
    build_cmd.add_argument(
        "--full",
        action="store_true",
        help="parse and load every file again, instead of taking over the unchanged graphs of the current build",
    )
    build_cmd.add_argument(
        "--export",
        type=Path,
        metavar="FILE",
        help="then write the new build as one checked archive FILE (as `govsocial pack FILE`), to ship to replicas",
    )
    build_cmd.set_defaults(handler=_build)

    query_cmd = commands.add_parser("query", help="run a SPARQL query against the built store")
    source = query_cmd.add_mutually_exclusive_group(required=True)
    source.add_argument("query", nargs="?", help="the SPARQL query text")
    source.add_argument("--file", "-f", type=Path, help="read the query from a file (- for standard input)")
    query_cmd.add_argument("--format", default="table", choices=FORMAT_NAMES, help="output format")
    query_cmd.add_argument("--store", type=Path, help="store directory")
    query_cmd.set_defaults(handler=_query)

    serve_cmd = commands.add_parser("serve", help="serve the SPARQL endpoint and pages on the built store")
    serve_cmd.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve_cmd.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve_cmd.add_argument("--store", type=Path, help="store directory")
    serve_cmd.set_defaults(handler=_serve)

    import_cmd = commands.add_parser(
        "import",
        help="turn a public data set into RDF under data/NAME/ (see `govsocial import --list`)",
        add_help=False,
    )
    import_cmd.add_argument("arguments", nargs=argparse.REMAINDER)
    import_cmd.set_defaults(handler=_import)

    curate_cmd = commands.add_parser(
        "curate",
        help="`curate check SHEET` / `curate add SHEET`: an event sheet (CSV) into data/press/",
        add_help=False,
    )
    curate_cmd.add_argument("arguments", nargs=argparse.REMAINDER)

    report_cmd = commands.add_parser("report", help="`report wikidata`: how many resources per class link to Wikidata")
    reports = report_cmd.add_subparsers(dest="report", required=True)
    wikidata_cmd = reports.add_parser("wikidata", help="per class, how many resources link to a Wikidata item")
    wikidata_cmd.add_argument("--store", type=Path, help="store directory (default: GOVSOCIAL_STORE or var/store)")
    wikidata_cmd.add_argument("--format", choices=["table", "json"], default="table", help="output format")
    wikidata_cmd.set_defaults(handler=_report_wikidata)

    export_cmd = commands.add_parser(
        "export", help="`export quickstatements --out FILE`: the Wikidata edits our data supports"
    )
    exports = export_cmd.add_subparsers(dest="export", required=True)
    statements_cmd = exports.add_parser(
        "quickstatements", help="account statements with start/end times, as QuickStatements v1"
    )
    statements_cmd.add_argument("--store", type=Path, help="store directory (default: GOVSOCIAL_STORE or var/store)")
    statements_cmd.add_argument("--out", default="-", help="file to write the commands to (default -: standard output)")
    statements_cmd.set_defaults(handler=_export_quickstatements)

    artifact.register(commands)  # pack, unpack
    cluster.register(commands)  # cluster, haproxy-config

    settings_cmd = commands.add_parser("settings", help="list every setting, its value and what it does")
    settings_cmd.set_defaults(handler=_settings)
    return parser


def _build(args: argparse.Namespace) -> int:
    from server.build.inputs import InputError  # the build (and rdflib) loads only for this command
    from server.build.pipeline import build
    from server.build.validation.constraints import ShapesError
    from server.build.validation.problems import ValidationFailed

    settings = Settings({"store": args.store})
    try:
        info = build(
            settings.store,
            settings.ontology_dir,
            settings.data_dir,
            keep=settings.keep_builds,
            queries_dir=settings.queries_dir,
            full=args.full,
            memory_mb=settings.build_memory_mb,
        )
    except ShapesError as error:
        raise CommandFailed(f"the SHACL shapes cannot be checked: {error}") from None
    except InputError as error:
        raise CommandFailed(str(error)) from None
    except ValidationFailed as failed:
        print(failed.report(), file=sys.stderr)
        print(UNCHANGED, file=sys.stderr)
        return EXIT_INVALID
    print(f"Built dataset version {info.version} in {info.seconds:.1f} s: {info.triples} triples")
    if info.reused:
        print(f"Took over {len(info.reused)} unchanged graph(s) of the previous build; --full loads every file again")
    width = max(len(graph) for graph in info.graphs)
    for graph, count in info.graphs.items():
        print(f"  {graph.ljust(width)}  {count:>9}")
    print(f"Store: {settings.store}")
    if args.export is not None:
        artifact.pack_current(settings.store, args.export)
    return EXIT_OK


def _query(args: argparse.Namespace) -> int:
    settings = Settings({"store": args.store})
    text = args.query if args.file is None else _read_query(args.file)
    store, _ = open_store(settings.store)
    output = render(run_query(store, text), args.format)
    sys.stdout.buffer.write(output)
    sys.stdout.flush()
    return EXIT_OK


def _read_query(path: Path) -> str:
    """The query text of --file, strictly UTF-8 as SPARQL requires (a byte-order mark, which editors on Windows
    write, is dropped); `-` reads standard input."""
    data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    return data.decode("utf-8-sig")


def _serve(args: argparse.Namespace) -> int:
    from server.web.app import create_app  # Flask loads only for the command that needs it
    from server.web.wsgi import serve

    settings = Settings({"store": args.store, "host": args.host, "port": args.port})
    serve(create_app(settings), settings)
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    return _run_import(args.arguments)


def _run_import(arguments: list[str]) -> int:
    from server.imports import main as import_main  # the importers load only for the command that needs them

    return import_main(arguments)


def _run_curate(arguments: list[str]) -> int:
    from server.curate.command import main as curate_main  # the sheet tools load only for this command

    return curate_main(arguments)


def _report_wikidata(args: argparse.Namespace) -> int:
    from server.wikidata.command import report_coverage

    return report_coverage(args.store, args.format)


def _export_quickstatements(args: argparse.Namespace) -> int:
    from server.wikidata.command import export_quickstatements

    return export_quickstatements(args.store, args.out)


def _settings(args: argparse.Namespace) -> int:
    settings = Settings()
    for setting in SETTINGS:
        print(f"{setting.env_var}={settings[setting.name]}\n    {setting.help} (default: {setting.default})")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
