"""`govsocial pack FILE` and `govsocial unpack FILE`: the current build as one checked archive, to copy a build to
other machines (server.store.artifact)."""

from __future__ import annotations

import argparse
from pathlib import Path

from server.settings import Settings


def register(commands: argparse._SubParsersAction) -> None:
    """Add the two commands to the `govsocial` parser."""
    pack = commands.add_parser(
        "pack", help="write the current build as one archive FILE (.tar.gz or .tar) with FILE.sha256 beside it"
    )
    pack.add_argument("file", type=Path, help="the archive to write, e.g. govsocial-build.tar.gz")
    pack.add_argument("--store", type=Path, help="store directory (default: GOVSOCIAL_STORE or var/store)")
    pack.set_defaults(handler=_pack)

    unpack = commands.add_parser(
        "unpack", help="check an archive from `pack` and make its build the current one (refused whole if it differs)"
    )
    unpack.add_argument("file", type=Path, help="the archive; FILE.sha256 beside it is checked too")
    unpack.add_argument("--store", type=Path, help="store directory (default: GOVSOCIAL_STORE or var/store)")
    unpack.set_defaults(handler=_unpack)


def _pack(args: argparse.Namespace) -> int:
    pack_current(Settings({"store": args.store}).store, args.file)
    return 0


def pack_current(store: Path, file: Path) -> None:
    """Pack the store's current build into `file` and say what was written (`pack`, and `build --export`)."""
    from server.cli.main import CommandFailed
    from server.store.artifact import ArtifactError, pack

    try:
        packed = pack(store, file)
    except ArtifactError as error:
        raise CommandFailed(str(error)) from None
    print(
        f"Packed build {packed.build_id} (dataset version {packed.version}, {packed.files} files, "
        f"{packed.bytes / 1e6:.1f} MB) into {packed.path} ({packed.path.stat().st_size / 1e6:.1f} MB)"
    )
    print(f"SHA-256 {packed.sha256}, written to {packed.checksum_file}")


def _unpack(args: argparse.Namespace) -> int:
    from server.cli.main import CommandFailed
    from server.store.artifact import ArtifactError, unpack

    settings = Settings({"store": args.store})
    try:
        unpacked = unpack(settings.store, args.file, keep=settings.keep_builds)
    except ArtifactError as error:
        raise CommandFailed(f"{error}. The store is unchanged.") from None
    checked = (
        f"the archive matches {unpacked.checked_against.name}"
        if unpacked.checked_against
        else f"no {args.file.name}.sha256 beside it, so only its own manifest was checked"
    )
    print(f"SHA-256 {unpacked.archive_sha256}: {checked}; all {unpacked.files} files match the manifest")
    state = "was already in the store; now current" if unpacked.already else "unpacked and made current"
    print(f"Build {unpacked.build_dir.name} (dataset version {unpacked.version}) {state} in {settings.store}")
    print("A running server keeps its build until restarted; a cluster rolls onto it on SIGHUP.")
    return 0
