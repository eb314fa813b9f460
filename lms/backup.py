"""``flask backup`` and ``flask restore``: the database and the uploaded files in one .tar.gz with a manifest.

The archive holds ``database/lms.sqlite3`` (SQLite) or ``database/lms.pgdump`` (pg_dump custom format), the files
of the local storage (``uploads/<key>``) and ``manifest.json``: format, application, Alembic revision, database
kind, creation time (UTC) and every file with its size and SHA-256. The database is copied first and the files
after it, so every file a copied row names is in the archive (a file uploaded in between is only extra).

A restore unpacks the archive into a temporary folder and checks it completely (names, sizes, checksums, the
revision is one this version knows) before it touches anything; then it replaces the database's content and
the files of the storage (writing each file atomically; stored files that the archive does not hold are
removed, since no restored row names them).
"""

import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import tempfile
import zlib
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from flask import Flask

from lms import backup_db
from lms.backup_db import BackupError
from lms.storage import _KEY

FORMAT = 1
MANIFEST = "manifest.json"
APP_NAME = "SiPelatihan"
CHUNK = 1024 * 1024
_TEMP_UPLOAD = re.compile(r"^\.upload-")

__all__ = ["BackupError", "create_backup", "restore_backup", "verify_archive", "code_revisions"]


def _now() -> datetime:
    return datetime.now(UTC)


def upload_root(app: Flask) -> Path | None:
    """The folder of the local storage backend (None for another backend: its files are backed up by it)."""
    if app.config.get("STORAGE_BACKEND", "local") != "local":
        return None
    return Path(app.config.get("UPLOAD_DIR") or Path(app.instance_path) / "uploads")


def code_revisions(app: Flask) -> tuple[set[str], set[str]]:
    """(every Alembic revision this version of the code knows, the head revisions)."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    directory = app.extensions["migrate"].directory
    config = AlembicConfig()
    config.set_main_option("script_location", str(directory))
    script = ScriptDirectory.from_config(config)
    return {rev.revision for rev in script.walk_revisions()}, set(script.get_heads())


class _Hashing(io.RawIOBase):
    """A reader that hashes what passes through it (tarfile reads the file once)."""

    def __init__(self, stream):
        self.stream, self.digest, self.size = stream, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


def _add(tar: tarfile.TarFile, path: Path, name: str, files: list[dict]) -> None:
    info = tarfile.TarInfo(name)
    info.size = path.stat().st_size
    info.mtime = int(path.stat().st_mtime)
    info.mode = 0o600
    with path.open("rb") as fh:
        reader = _Hashing(fh)
        tar.addfile(info, reader)
    if reader.size != info.size:
        raise BackupError(f"Berkas {path} berubah selama pencadangan; ulangi pencadangan.")
    files.append({"path": name, "size": reader.size, "sha256": reader.digest.hexdigest()})


def _stored_files(root: Path | None) -> list[tuple[Path, str]]:
    if root is None or not root.exists():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not _TEMP_UPLOAD.match(path.name):
            found.append((path, path.relative_to(root).as_posix()))
    return found


def default_output(app: Flask) -> Path:
    folder = Path(app.config.get("BACKUP_DIR") or Path(app.instance_path) / "backups")
    return folder / f"sipelatihan-{_now():%Y%m%dT%H%M%SZ}.tar.gz"


def create_backup(app: Flask, output: Path | None = None) -> tuple[Path, dict]:
    """Write the archive (to a temporary name, renamed when complete); return its path and manifest."""
    output = Path(output or default_output(app))
    output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    root = upload_root(app)
    partial = output.with_name(output.name + ".partial")
    files: list[dict] = []
    with tempfile.TemporaryDirectory(prefix=".sipelatihan-backup-", dir=output.parent) as work:  # not a small /tmp
        dump = backup_db.dump_database(app, Path(work))
        manifest = {
            "format": FORMAT,
            "app": APP_NAME,
            "app_version": _app_version(),
            "alembic_revision": backup_db.current_revision(),
            "created_at": _now().isoformat(timespec="seconds").replace("+00:00", "Z"),
            "database": {"dialect": backup_db.dialect(app), "path": f"database/{dump.name}"},
            "uploads": root is not None,
            "files": files,
        }
        try:
            partial.touch(mode=0o600)  # password hashes and personal data: readable by the service account only
            partial.chmod(0o600)
            with tarfile.open(partial, "w:gz") as tar:
                _add(tar, dump, f"database/{dump.name}", files)
                for path, relative in _stored_files(root):
                    _add(tar, path, f"uploads/{relative}", files)
                data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(_now().timestamp()), 0o600
                tar.addfile(info, io.BytesIO(data))
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return output, manifest


def _app_version() -> str:
    import lms

    return getattr(lms, "__version__", "unreleased")


def work_folder(app: Flask) -> Path:
    """Where a restore unpacks the archive: BACKUP_DIR (on a disk with room for the archive), not /tmp."""
    folder = Path(app.config.get("BACKUP_DIR") or Path(app.instance_path) / "backups")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def prune(folder: Path, keep: int) -> list[Path]:
    """Remove all but the ``keep`` newest archives made by ``flask backup`` in ``folder``."""
    archives = sorted(folder.glob("sipelatihan-*.tar.gz"), key=lambda p: p.name, reverse=True)
    removed = archives[max(keep, 1) :]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


# Reading and checking an archive -----------------------------------------------------------------------


def _safe_member_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"Arsip berisi nama berkas yang tidak aman: {name!r}.")
    if name != MANIFEST and path.parts[0] not in ("database", "uploads"):
        raise BackupError(f"Arsip berisi berkas yang tidak dikenal: {name!r}.")
    return path.as_posix()


def _unpack(archive: Path, work: Path) -> dict[str, tuple[int, str]]:
    """Extract every member into ``work`` while hashing it; return {name: (size, sha256)}."""
    found: dict[str, tuple[int, str]] = {}
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            if member.isdir():
                continue
            name = _safe_member_name(member.name)
            if not member.isfile():
                raise BackupError(f"Arsip berisi {name!r} yang bukan berkas biasa.")
            if name in found:
                raise BackupError(f"Arsip berisi {name!r} dua kali.")
            target = work / name
            target.parent.mkdir(parents=True, exist_ok=True)
            digest, size = hashlib.sha256(), 0
            source = tar.extractfile(member)
            with target.open("wb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            found[name] = (size, digest.hexdigest())
        while tar.fileobj.read(CHUNK):  # to the end of the gzip stream: its CRC and length are checked there
            pass
    return found


def verify_archive(app: Flask, archive: Path, work: Path) -> dict:
    """Unpack ``archive`` into ``work`` and check it against its manifest and this installation; the manifest."""
    try:
        found = _unpack(Path(archive), work)
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(f"Arsip cadangan rusak atau tidak lengkap ({type(exc).__name__}: {exc}).") from None
    if MANIFEST not in found:
        raise BackupError("Arsip rusak, tidak lengkap, atau bukan dari 'flask backup' (manifest.json tidak ada).")
    try:
        manifest = json.loads((work / MANIFEST).read_text("utf-8"))
        listed = {entry["path"]: (int(entry["size"]), entry["sha256"]) for entry in manifest["files"]}
        database = manifest["database"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"manifest.json dalam arsip tidak dapat dibaca ({exc}).") from None
    if manifest.get("format") != FORMAT or manifest.get("app") != APP_NAME:
        raise BackupError("Arsip bukan cadangan SiPelatihan dengan format yang dikenal versi ini.")
    found.pop(MANIFEST)
    missing = sorted(set(listed) - set(found))
    extra = sorted(set(found) - set(listed))
    changed = sorted(name for name in set(listed) & set(found) if listed[name] != found[name])
    if missing or extra or changed:
        parts = [
            f"{label}: {', '.join(names[:3])}"
            for label, names in (("hilang", missing), ("tidak tercatat", extra), ("checksum tidak cocok", changed))
            if names
        ]
        raise BackupError("Isi arsip tidak cocok dengan manifest (" + "; ".join(parts) + "). Tidak ada yang diubah.")
    if database.get("path") not in listed:
        raise BackupError("Arsip tidak berisi salinan basis data.")
    here = backup_db.dialect(app)
    if database.get("dialect") != here:
        raise BackupError(f"Arsip berisi basis data {database.get('dialect')}, sedangkan aplikasi ini memakai {here}.")
    revision = manifest.get("alembic_revision")
    known, _heads = code_revisions(app)
    if revision is not None and revision not in known:
        raise BackupError(
            f"Arsip dibuat oleh versi aplikasi yang lebih baru (revisi basis data {revision} tidak dikenal versi ini). "
            "Perbarui aplikasi dulu, lalu pulihkan lagi."
        )
    return manifest


def _restore_files(app: Flask, work: Path, manifest: dict) -> None:
    root = upload_root(app)
    if root is None or not manifest.get("uploads"):
        return
    wanted = {entry["path"][len("uploads/") :] for entry in manifest["files"] if entry["path"].startswith("uploads/")}
    for relative in sorted(wanted):
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out, (work / "uploads" / relative).open("rb") as source:
                shutil.copyfileobj(source, out, CHUNK)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    for path, relative in _stored_files(root):
        if relative not in wanted and _KEY.match(relative):
            path.unlink(missing_ok=True)  # no restored row names it


def restore_backup(app: Flask, work: Path, manifest: dict) -> str | None:
    """Replace the database and the stored files by the verified archive unpacked in ``work``. Returns a note for
    the operator when the restored schema is older than this version's (then ``flask db upgrade``)."""
    backup_db.restore_database(app, work / manifest["database"]["path"])
    _restore_files(app, work, manifest)
    revision = manifest.get("alembic_revision")
    _known, heads = code_revisions(app)
    if revision is not None and revision not in heads:
        return f"Basis data dipulihkan pada revisi {revision}; jalankan 'flask db upgrade' untuk versi ini."
    return None
