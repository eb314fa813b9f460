"""The commands ``flask backup`` and ``flask restore`` (the work is done in lms.backup)."""

import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.backup import BackupError, create_backup, prune, restore_backup, upload_root, verify_archive, work_folder


@click.command("backup")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Berkas arsip (.tar.gz); bawaan: BACKUP_DIR/sipelatihan-<waktu UTC>.tar.gz",
)
@click.option("--keep", type=click.IntRange(min=1), default=None, help="Simpan hanya N arsip terbaru di folder itu.")
@with_appcontext
def backup_command(output: Path | None, keep: int | None) -> None:
    """Back up the database and the uploaded files into one archive with a manifest."""
    app = current_app._get_current_object()
    try:
        path, manifest = create_backup(app, output)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    total = sum(entry["size"] for entry in manifest["files"])
    click.echo(f"Cadangan dibuat: {path}")
    click.echo(
        f"  basis data {manifest['database']['dialect']}, revisi {manifest['alembic_revision'] or '-'}, "
        f"{len(manifest['files']) - 1} berkas unggahan, {total:,} byte sebelum dikompresi"
    )
    if keep:
        for old in prune(path.parent, keep):
            click.echo(f"  dihapus (lebih dari {keep} arsip): {old.name}")
    app.logger.info("backup written path=%s files=%d", path, len(manifest["files"]))


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Jangan minta konfirmasi.")
@with_appcontext
def restore_command(archive: Path, yes: bool) -> None:
    """Restore the database and the uploaded files from an archive made by `flask backup`."""
    app = current_app._get_current_object()
    with tempfile.TemporaryDirectory(prefix=".sipelatihan-restore-", dir=work_folder(app)) as work:
        try:
            manifest = verify_archive(app, archive, Path(work))
        except BackupError as exc:
            raise click.ClickException(f"{exc} Arsip ditolak; tidak ada yang diubah.") from None
        uploads = sum(1 for entry in manifest["files"] if entry["path"].startswith("uploads/"))
        click.echo(
            f"Arsip {archive.name}: dibuat {manifest['created_at']}, basis data {manifest['database']['dialect']} "
            f"revisi {manifest.get('alembic_revision') or '-'}, {uploads} berkas unggahan; checksum cocok."
        )
        if not yes:
            where = upload_root(app)
            click.confirm(
                "Isi basis data saat ini"
                + (f" dan berkas di {where}" if where else "")
                + " akan DIGANTI dengan isi arsip. Lanjutkan?",
                abort=True,
            )
        try:
            note = restore_backup(app, Path(work), manifest)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo("Pemulihan selesai.")
    if note:
        click.echo(note)
    app.logger.info("backup restored archive=%s", archive)
