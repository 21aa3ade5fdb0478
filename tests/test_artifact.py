"""A build as one archive: `pack` writes it with a manifest of hashes and FILE.sha256 beside it; `unpack` makes
it current only when every byte matches, and refuses a corrupt or tampered archive whole, leaving nothing behind.

The round trip runs on the session's real build; the refusals run on a small build made here (one statement in a
real Oxigraph store), since what is checked does not depend on the size.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from server.engine.query import run_query
from server.store.artifact import MANIFEST, ArtifactError, checksum_path, pack, unpack
from server.store.builds import BUILDS, CURRENT, BuildInfo, current_build, open_store, switch

from .support import copy_curated, govsocial

SMALL_VERSION = "0123456789abcdef"


def make_store(folder: Path, version: str = SMALL_VERSION) -> Path:
    """A store directory whose current build holds one statement, a build.json and a dump."""
    build_dir = folder / BUILDS / f"20260101T000000000000Z-{version}"
    build_dir.mkdir(parents=True)
    engine = Store(str(build_dir / "oxigraph"))
    engine.add(Quad(NamedNode("https://example.org/s"), NamedNode("https://example.org/p"), Literal(version)))
    engine.flush()
    del engine
    graph = "https://w3id.org/govsocial/graph/curated"
    BuildInfo(version, "2026-01-01T00:00:00+00:00", 1, {graph: 1}, distinct_triples=1).write(build_dir)
    (build_dir / "dumps").mkdir()
    (build_dir / "dumps" / "govsocial.nq.gz").write_bytes(gzip.compress(b"<https://example.org/s> . \n", mtime=0))
    switch(folder, build_dir)
    return folder


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """The small build packed: the archive's path (FILE.sha256 beside it)."""
    return pack(make_store(tmp_path / "source"), tmp_path / "small.tar.gz").path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(build_dir: Path) -> dict[str, str]:
    """Every file of a build by relative path, with its hash (the in-use marker of a server is no part of it)."""
    return {
        path.relative_to(build_dir).as_posix(): sha256(path)
        for path in sorted(build_dir.rglob("*"))
        if path.is_file() and path.name != ".in-use"
    }


def rewrite(
    archive: Path,
    change: Callable[[tarfile.TarInfo, bytes], tuple[tarfile.TarInfo, bytes] | None],
    extra: tuple[tuple[tarfile.TarInfo, bytes], ...] = (),
) -> None:
    """Write the archive anew with each member passed through `change` (None drops it), plus `extra` members;
    FILE.sha256 is written anew too, as someone who tampers with the archive would."""
    with tarfile.open(archive) as source:
        members = [(m, source.extractfile(m).read() if m.isfile() else b"") for m in source.getmembers()]
    changed = [result for result in (change(info, data) for info, data in members) if result is not None]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as target:
        for info, data in [*changed, *extra]:
            info.size = len(data) if info.isfile() else 0
            target.addfile(info, io.BytesIO(data) if info.isfile() else None)
    archive.write_bytes(buffer.getvalue())
    checksum_path(archive).write_text(f"{sha256(archive)}  {archive.name}\n", encoding="ascii")


def member(
    name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE, link: str = ""
) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.size = kind, link, len(data)
    return info, data


def flip(data: bytes) -> bytes:
    """The same bytes with the last one changed: a file of the same size whose hash differs."""
    return data[:-1] + bytes([data[-1] ^ 0x01])


def assert_refused(store_dir: Path, archive: Path, words: str) -> None:
    """The archive is refused with `words` in the reason, and the store is exactly as it was."""
    before = sorted(path.name for path in (store_dir / BUILDS).iterdir()) if (store_dir / BUILDS).exists() else []
    current = (store_dir / CURRENT).resolve() if (store_dir / CURRENT).exists() else None
    with pytest.raises(ArtifactError, match=words):
        unpack(store_dir, archive)
    after = sorted(path.name for path in (store_dir / BUILDS).iterdir()) if (store_dir / BUILDS).exists() else []
    assert after == before, "an unpack that was refused left something in builds/"
    assert ((store_dir / CURRENT).resolve() if (store_dir / CURRENT).exists() else None) == current


# ------------------------------------------------------------------------------------------------ round trip


def test_the_real_build_packs_and_unpacks_as_the_current_build_of_another_store(
    built_store_dir: Path, tmp_path: Path
) -> None:
    packed = pack(built_store_dir, tmp_path / "govsocial-build.tar.gz")
    unpacked = unpack(tmp_path / "replica", packed.path)
    source = current_build(built_store_dir)
    assert current_build(tmp_path / "replica") == unpacked.build_dir == tmp_path / "replica" / BUILDS / source.name
    assert tree(unpacked.build_dir) == tree(source)
    assert unpacked.version == packed.version == BuildInfo.read(source).version
    assert unpacked.checked_against == checksum_path(packed.path)
    store, _ = open_store(tmp_path / "replica")
    count = next(iter(run_query(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value
    assert int(count) == BuildInfo.read(source).distinct_triples


def test_the_archive_hash_is_beside_it_as_sha256sum_writes_it(small: Path) -> None:
    assert checksum_path(small).read_text(encoding="ascii") == f"{sha256(small)}  {small.name}\n"
    if shutil.which("sha256sum"):
        result = subprocess.run(["sha256sum", "-c", checksum_path(small).name], cwd=small.parent, capture_output=True)
        assert result.returncode == 0, result.stdout


def test_the_manifest_lists_every_file_with_its_size_and_hash(small: Path, tmp_path: Path) -> None:
    with tarfile.open(small) as archive:
        names = archive.getnames()
        manifest = json.loads(archive.extractfile(MANIFEST).read())
    assert names[0] == MANIFEST
    build_dir = current_build(tmp_path / "source")
    assert {entry["path"]: entry["sha256"] for entry in manifest["files"]} == tree(build_dir)
    assert manifest["version"] == SMALL_VERSION and manifest["build"] == build_dir.name


def test_the_same_build_packs_to_the_same_bytes(small: Path, tmp_path: Path) -> None:
    again = pack(tmp_path / "source", tmp_path / "again.tar.gz")
    assert again.path.read_bytes() == small.read_bytes()
    assert again.sha256 == sha256(small)


def test_an_uncompressed_tar_round_trips(tmp_path: Path) -> None:
    packed = pack(make_store(tmp_path / "source"), tmp_path / "build.tar")
    with tarfile.open(packed.path, mode="r:") as archive:
        assert archive.getnames()[0] == MANIFEST
    assert tree(unpack(tmp_path / "replica", packed.path).build_dir) == tree(current_build(tmp_path / "source"))


def test_an_archive_name_without_a_known_suffix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match=r"must end in \.tar, \.tar\.gz, \.tgz"):
        pack(make_store(tmp_path / "source"), tmp_path / "build.zip")


def test_unpacking_a_build_the_store_has_switches_to_it(small: Path, tmp_path: Path) -> None:
    first = unpack(tmp_path / "replica", small)
    make_store(tmp_path / "replica", version="fedcba9876543210")  # another build became current meanwhile
    again = unpack(tmp_path / "replica", small)
    assert again.already and not first.already
    assert current_build(tmp_path / "replica") == first.build_dir


def test_unpack_keeps_the_previous_build_for_the_servers_that_hold_it(small: Path, tmp_path: Path) -> None:
    replica = make_store(tmp_path / "replica", version="fedcba9876543210")
    previous = current_build(replica)
    unpacked = unpack(replica, small)
    assert current_build(replica) == unpacked.build_dir != previous
    assert previous.is_dir()


# ----------------------------------------------------------------------------------------------- refusals


def test_a_file_changed_inside_the_archive_is_refused_naming_it(small: Path, tmp_path: Path) -> None:
    """Tampered: one byte of build.json changed (FILE.sha256 written anew to fit), the manifest as it was."""

    def change(info: tarfile.TarInfo, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
        if info.name.endswith("/build.json"):
            data = data.replace(b'"triples": 1', b'"triples": 9')
        return info, data

    rewrite(small, change)
    assert_refused(tmp_path / "replica", small, "build.json differs from the manifest")


def test_an_archive_changed_after_packing_is_refused_by_its_checksum(small: Path, tmp_path: Path) -> None:
    data = bytearray(small.read_bytes())
    data[len(data) // 2] ^= 0xFF
    small.write_bytes(bytes(data))
    assert_refused(tmp_path / "replica", small, r"does not match small\.tar\.gz\.sha256")


def test_a_truncated_archive_without_checksum_is_refused(small: Path, tmp_path: Path) -> None:
    small.write_bytes(small.read_bytes()[: small.stat().st_size // 2])
    checksum_path(small).unlink()
    assert_refused(tmp_path / "replica", small, "not a complete build archive|differs|lacks")


def test_a_file_missing_from_the_archive_is_refused(small: Path, tmp_path: Path) -> None:
    rewrite(small, lambda info, data: None if info.name.endswith("govsocial.nq.gz") else (info, data))
    assert_refused(tmp_path / "replica", small, "lacks 1 file")


def test_a_file_the_manifest_does_not_list_is_refused(small: Path, tmp_path: Path) -> None:
    root = current_build(tmp_path / "source").name
    rewrite(small, lambda info, data: (info, data), extra=(member(f"{root}/oxigraph/EXTRA", b"x"),))
    assert_refused(tmp_path / "replica", small, "which its manifest does not list")


@pytest.mark.parametrize(
    ("name", "kind", "link"),
    [("../outside", tarfile.REGTYPE, ""), ("/etc/outside", tarfile.REGTYPE, ""), ("BUILD/evil", tarfile.SYMTYPE, "/")],
    ids=["parent directory", "absolute path", "symbolic link"],
)
def test_a_member_that_could_write_outside_the_build_is_refused(
    small: Path, tmp_path: Path, name: str, kind: bytes, link: str
) -> None:
    root = current_build(tmp_path / "source").name
    rewrite(small, lambda info, data: (info, data), extra=(member(name.replace("BUILD", root), b"x", kind, link),))
    assert_refused(tmp_path / "replica", small, "outside the build directory|neither a file nor a directory")
    assert not (tmp_path / "outside").exists()


def test_an_archive_not_made_by_pack_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "other.tar.gz"
    with tarfile.open(archive, mode="w:gz") as tar:
        info, data = member("README", b"hello")
        tar.addfile(info, io.BytesIO(data))
    assert_refused(tmp_path / "replica", archive, "does not start with govsocial-build.json")


def test_a_refused_unpack_keeps_the_current_build(small: Path, tmp_path: Path) -> None:
    replica = make_store(tmp_path / "replica", version="fedcba9876543210")
    rewrite(small, lambda info, data: (info, flip(data)) if info.name.endswith(".nq.gz") else (info, data))
    assert_refused(replica, small, "differs from the manifest")
    assert BuildInfo.read(current_build(replica)).version == "fedcba9876543210"


# ---------------------------------------------------------------------------------------------- the commands


def test_pack_and_unpack_commands_say_what_they_did(tmp_path: Path) -> None:
    source = make_store(tmp_path / "source")
    packed = govsocial("pack", str(tmp_path / "b.tar.gz"), "--store", str(source))
    assert packed.returncode == 0, packed.stderr
    assert f"SHA-256 {sha256(tmp_path / 'b.tar.gz')}" in packed.stdout
    unpacked = govsocial("unpack", str(tmp_path / "b.tar.gz"), "--store", str(tmp_path / "replica"))
    assert unpacked.returncode == 0, unpacked.stderr
    assert "the archive matches b.tar.gz.sha256" in unpacked.stdout
    assert f"(dataset version {SMALL_VERSION}) unpacked and made current" in unpacked.stdout


def test_unpack_of_a_tampered_archive_exits_2_and_says_the_store_is_unchanged(small: Path, tmp_path: Path) -> None:
    rewrite(small, lambda info, data: (info, data + b" ") if info.name.endswith("build.json") else (info, data))
    result = govsocial("unpack", str(small), "--store", str(tmp_path / "replica"))
    assert result.returncode == 2
    assert "build.json differs from the manifest" in result.stderr and "The store is unchanged." in result.stderr


@pytest.mark.slow
def test_build_export_writes_the_new_build_as_one_checked_archive(tmp_path: Path) -> None:
    """`govsocial build --export FILE` builds, then packs what it built: the archive unpacks elsewhere as the
    same dataset version."""
    data = tmp_path / "data"
    copy_curated(data / "curated")
    env = {**os.environ, "GOVSOCIAL_DATA_DIR": str(data)}
    archive = tmp_path / "build.tar.gz"
    built = govsocial("build", "--store", str(tmp_path / "store"), "--export", str(archive), env=env)
    assert built.returncode == 0, built.stderr
    version = re.search(r"Built dataset version (\w+)", built.stdout)
    assert version and f"(dataset version {version[1]}" in built.stdout
    assert f"SHA-256 {sha256(archive)}" in built.stdout
    unpacked = govsocial("unpack", str(archive), "--store", str(tmp_path / "replica"))
    assert unpacked.returncode == 0, unpacked.stderr
    assert f"(dataset version {version[1]}) unpacked and made current" in unpacked.stdout
