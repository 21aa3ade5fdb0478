"""A build as one file: `govsocial pack` writes the current build as a tar archive, `govsocial unpack` checks
one and makes it the current build.

Replicas on several machines must serve the same build, and copying a directory of RocksDB files by hand can
lose or change one without anyone noticing. The archive carries a manifest, its first member, with the
SHA-256 and size of every file of the build; beside the archive, FILE.sha256 (in the format of `sha256sum`)
holds the archive's own hash. Unpacking checks the archive against FILE.sha256 where it is present, then
every member against the manifest as it is written, into a hidden directory under builds/; only a build
whose every file matched is renamed into place and made current. A corrupt or tampered archive is refused
with what differs, and leaves nothing behind.

Archive layout (`.tar`, or gzip-compressed for `.tar.gz` and `.tgz`)::

    govsocial-build.json             the manifest: format, build id, version, every file with size and SHA-256
    <build id>/build.json
    <build id>/oxigraph/...          the RocksDB store
    <build id>/search.sqlite
    <build id>/dumps/...

The same build always packs to the same bytes (sorted names, fixed owners, modes and times), so two machines
can compare archives by their hash alone.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import io
import json
import os
import re
import shutil
import tarfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from server.store.builds import (
    BUILDS,
    ENGINE_DIR,
    IN_USE_FILE,
    INFO_FILE,
    BuildInfo,
    build_lock,
    current_build,
    hold_build,
    prune,
    switch,
)

MANIFEST = "govsocial-build.json"
FORMAT = "govsocial-build-archive"
FORMAT_VERSION = 1
#: Suffixes of the archives we write and read, and whether they are gzip-compressed.
SUFFIXES = {".tar": False, ".tar.gz": True, ".tgz": True}
#: A build id is the name of its directory: a time and the dataset version (server.store.builds).
_BUILD_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]*")
_CHUNK = 1 << 20
#: The manifest of even a large build is far smaller; a larger first member is no manifest of ours.
_MAX_MANIFEST_BYTES = 16 << 20


class ArtifactError(Exception):
    """An archive cannot be written or is refused; the message says what differs and what to do."""


@dataclass(frozen=True)
class Packed:
    """What `pack` wrote: the archive, its SHA-256 (also in `checksum_file`), and the build inside."""

    path: Path
    sha256: str
    checksum_file: Path
    build_id: str
    version: str
    files: int
    bytes: int


@dataclass(frozen=True)
class Unpacked:
    """What `unpack` made current; `already` when that build was in the store before."""

    build_dir: Path
    version: str
    files: int
    archive_sha256: str
    checked_against: Path | None  # the FILE.sha256 the archive matched, if there was one
    already: bool = False


def checksum_path(archive: Path) -> Path:
    """FILE.sha256 beside FILE."""
    return archive.with_name(archive.name + ".sha256")


def _compressed(archive: Path) -> bool:
    for suffix, gz in SUFFIXES.items():
        if archive.name.endswith(suffix):
            return gz
    raise ArtifactError(f"{archive.name}: the archive's name must end in {', '.join(SUFFIXES)}")


# ------------------------------------------------------------------------------------------------------ pack


def pack(store_dir: Path, archive: Path) -> Packed:
    """Write the current build of `store_dir` as one archive, and FILE.sha256 beside it."""
    gz = _compressed(archive)
    build_dir = current_build(store_dir)
    holder = hold_build(build_dir)  # a build switched away from meanwhile is not pruned while it is read
    try:
        info = BuildInfo.read(build_dir)
        entries = list(_files(build_dir))
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "build": build_dir.name,
            "version": info.version,
            "built_at": info.built_at,
            "triples": info.triples,
            "files": [
                {"path": relative, "bytes": path.stat().st_size, "sha256": _sha256(path)} for relative, path in entries
            ],
        }
        mtime = _epoch(info.built_at)
        partial = archive.with_name(f".{archive.name}.partial")
        archive.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(partial, "wb") as raw, _tar_writer(raw, gz) as tar:
                data = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")
                tar.addfile(_member(MANIFEST, len(data), mtime), io.BytesIO(data))
                for directory in _directories(entries):
                    tar.addfile(_member(f"{build_dir.name}/{directory}", 0, mtime, directory=True))
                for relative, path in entries:
                    with open(path, "rb") as source:
                        tar.addfile(_member(f"{build_dir.name}/{relative}", path.stat().st_size, mtime), source)
            digest = _sha256(partial)
            os.replace(partial, archive)
        finally:
            partial.unlink(missing_ok=True)
    finally:
        holder.close()
    checksum = checksum_path(archive)
    checksum.write_text(f"{digest}  {archive.name}\n", encoding="ascii")
    total = sum(entry["bytes"] for entry in manifest["files"])
    return Packed(archive, digest, checksum, build_dir.name, info.version, len(entries), total)


def _files(build_dir: Path) -> Iterator[tuple[str, Path]]:
    """Every file of a build, by path relative to it, sorted; the server's in-use marker is no part of it."""
    for path in sorted(build_dir.rglob("*")):
        relative = path.relative_to(build_dir).as_posix()
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            raise ArtifactError(f"{path} is neither a file nor a directory; a build holds only those")
        if path.is_file() and relative != IN_USE_FILE:
            yield relative, path


def _directories(entries: list[tuple[str, Path]]) -> list[str]:
    """Every directory that holds a file, parents first."""
    found = set()
    for relative, _ in entries:
        parts = relative.split("/")[:-1]
        found.update("/".join(parts[: depth + 1]) for depth in range(len(parts)))
    return sorted(found)


def _member(name: str, size: int, mtime: int, directory: bool = False) -> tarfile.TarInfo:
    """A member with fixed owner, mode and time, so that the same build packs to the same bytes."""
    member = tarfile.TarInfo(name)
    member.size = size
    member.mtime = mtime
    member.mode = 0o755 if directory else 0o644
    member.type = tarfile.DIRTYPE if directory else tarfile.REGTYPE
    member.uid = member.gid = 0
    member.uname = member.gname = ""
    return member


@contextmanager
def _tar_writer(raw: IO[bytes], gz: bool) -> Iterator[tarfile.TarFile]:
    """A tar stream over an open file, gzip-compressed without the file name or time in its header."""
    compressor = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) if gz else None
    try:
        with tarfile.open(fileobj=compressor or raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
            yield tar
    finally:
        if compressor is not None:
            compressor.close()


def _epoch(built_at: str) -> int:
    try:
        return int(datetime.fromisoformat(built_at).timestamp())
    except ValueError:
        return 0


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------------- unpack


def unpack(store_dir: Path, archive: Path, keep: int = 2) -> Unpacked:
    """Check an archive and make its build the current one of `store_dir`; refuse it whole on any difference.

    Nothing changes in the store until every file matched: the build is written under builds/ as a hidden
    directory, and renamed into place and switched to only then. `keep` is GOVSOCIAL_KEEP_BUILDS.
    """
    if not archive.is_file():
        raise ArtifactError(f"{archive} is not a file")
    digest, checked_against = _check_archive_hash(archive)
    builds_dir = store_dir / BUILDS
    builds_dir.mkdir(parents=True, exist_ok=True)
    with build_lock(store_dir):  # no build, prune or other unpack meanwhile
        scratch = builds_dir / f".unpack-{os.getpid()}"
        shutil.rmtree(scratch, ignore_errors=True)
        try:
            manifest = _extract_checked(archive, scratch)
            build_id, version = manifest["build"], manifest["version"]
            target = builds_dir / build_id
            already = _complete(target, version)
            if already:
                shutil.rmtree(scratch)
            else:
                shutil.rmtree(target, ignore_errors=True)  # what an interrupted build of the same name left
                os.rename(scratch, target)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        switch(store_dir, target)
        prune(store_dir, keep)
    return Unpacked(target, version, len(manifest["files"]), digest, checked_against, already)


def _check_archive_hash(archive: Path) -> tuple[str, Path | None]:
    """The archive's SHA-256, compared with FILE.sha256 when that file is beside it."""
    digest = _sha256(archive)
    checksum = checksum_path(archive)
    if not checksum.is_file():
        return digest, None
    words = checksum.read_text(encoding="ascii", errors="replace").split()
    expected = words[0].lower() if words else ""
    if not hmac.compare_digest(expected, digest):
        raise ArtifactError(
            f"{archive.name} does not match {checksum.name}: its SHA-256 is {digest}, the file beside it says "
            f"{expected or 'nothing'}; the archive was changed or cut short on the way, so copy it again"
        )
    return digest, checksum


def _extract_checked(archive: Path, scratch: Path) -> dict:
    """Write every member into `scratch`, hashing it as it is written; the manifest, once all matched."""
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            manifest = _read_manifest(tar, archive)
            expected = {entry["path"]: entry for entry in manifest["files"]}
            root = manifest["build"]
            seen: set[str] = set()
            scratch.mkdir()
            for index, member in enumerate(tar):
                if index == 0:
                    continue  # the manifest, read above
                relative = _member_path(member, root, archive)
                if member.isdir():
                    (scratch / relative).mkdir(parents=True, exist_ok=True)
                    continue
                entry = expected.get(relative)
                if entry is None or relative in seen:
                    raise ArtifactError(f"{archive.name} holds {member.name}, which its manifest does not list")
                seen.add(relative)
                _write_checked(tar, member, scratch / relative, entry, archive)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise ArtifactError(f"{archive.name} is not a complete build archive ({error}); copy it again") from None
    missing = sorted(set(expected) - seen)
    if missing:
        raise ArtifactError(
            f"{archive.name} lacks {len(missing)} file(s) its manifest lists, first {missing[0]}; copy it again"
        )
    _check_build(scratch, manifest, archive)
    return manifest


def _read_manifest(tar: tarfile.TarFile, archive: Path) -> dict:
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isfile() or first.size > _MAX_MANIFEST_BYTES:
        raise ArtifactError(f"{archive.name} does not start with {MANIFEST}: it was not written by `govsocial pack`")
    try:
        manifest = json.loads(tar.extractfile(first).read())
        if manifest["format"] != FORMAT or manifest["format_version"] != FORMAT_VERSION:
            raise ArtifactError(
                f"{archive.name} is a {manifest['format']} archive of version {manifest['format_version']}; "
                f"this govsocial reads {FORMAT} version {FORMAT_VERSION}"
            )
        files = manifest["files"]
        if not all(isinstance(e["path"], str) and isinstance(e["bytes"], int) for e in files):
            raise TypeError("a file entry without path or size")
        str(manifest["version"])
    except (ValueError, KeyError, TypeError) as error:
        raise ArtifactError(f"{archive.name} has a manifest that cannot be read ({error})") from None
    if not isinstance(manifest["build"], str) or not _BUILD_ID.fullmatch(manifest["build"]):
        raise ArtifactError(f"{archive.name} names its build {manifest['build']!r}, which is no build directory's name")
    return manifest


def _member_path(member: tarfile.TarInfo, root: str, archive: Path) -> str:
    """The member's path inside the build; refused unless it is a plain file or directory under it."""
    if not (member.isfile() or member.isdir()):
        raise ArtifactError(f"{archive.name} holds {member.name}, which is neither a file nor a directory")
    parts = member.name.split("/")
    if member.name.startswith("/") or parts[0] != root or any(part in ("", ".", "..") for part in parts[1:]):
        raise ArtifactError(f"{archive.name} holds {member.name}, outside the build directory {root}/")
    if len(parts) < 2:
        raise ArtifactError(f"{archive.name} holds {member.name} where the build's files belong")
    return "/".join(parts[1:])


def _write_checked(tar: tarfile.TarFile, member: tarfile.TarInfo, path: Path, entry: dict, archive: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    source = tar.extractfile(member)
    with open(path, "wb") as target:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            target.write(chunk)
    if member.size != entry["bytes"] or not hmac.compare_digest(digest.hexdigest(), str(entry.get("sha256", ""))):
        raise ArtifactError(
            f"{archive.name}: {entry['path']} differs from the manifest (SHA-256 {digest.hexdigest()}, "
            f"{member.size} bytes; the manifest says {entry.get('sha256')}, {entry['bytes']} bytes): "
            "the archive is corrupt or was changed; copy it again, or pack it anew"
        )


def _check_build(build_dir: Path, manifest: dict, archive: Path) -> None:
    """The files matched; they must also make a build of the version the manifest names."""
    if not (build_dir / ENGINE_DIR).is_dir() or not (build_dir / INFO_FILE).is_file():
        raise ArtifactError(f"{archive.name} holds no complete build (it needs {ENGINE_DIR}/ and {INFO_FILE})")
    version = BuildInfo.read(build_dir).version
    if version != manifest["version"]:
        raise ArtifactError(
            f"{archive.name}: its build.json says version {version}, its manifest {manifest['version']}"
        )


def _complete(build_dir: Path, version: str) -> bool:
    """Whether the store already has this build, complete and of the same version."""
    try:
        return (build_dir / ENGINE_DIR).is_dir() and BuildInfo.read(build_dir).version == version
    except (OSError, ValueError, TypeError):
        return False
