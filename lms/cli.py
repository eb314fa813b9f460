"""Flask commands: create-admin, seed-demo."""

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.extensions import db


def register(app) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)

    from lms.jobs import jobs_worker
    from lms.jobs_recovery import jobs_cleanup

    app.cli.add_command(jobs_worker)
    app.cli.add_command(jobs_cleanup)

    from lms.backup_cli import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt="Nama", default="Administrator")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--agency", "agency_name", default=None, help="Instansi (dibuat jika belum ada)")
@with_appcontext
def create_admin(email: str, name: str, password: str, agency_name: str | None) -> None:
    """Create an admin account (or reset the password of an existing one)."""
    from lms.auth.operations import create_or_update_admin
    from lms.auth.passwords import password_problem

    problem = password_problem(password, [email])
    if problem:
        raise click.BadParameter(problem, param_hint="--password")
    user = create_or_update_admin(email=email, name=name, password=password, agency_name=agency_name)
    db.session.commit()
    click.echo(f"Admin {user.email} siap.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@with_appcontext
def seed_demo(if_empty: bool) -> None:
    """Load the demo BPSDMD with agencies, an event with three sessions and 30 participants."""
    from lms.auth.models import User
    from lms.demo import DEMO_LOGINS, load_demo

    if if_empty and db.session.execute(db.select(User.id).limit(1)).first():
        click.echo("Data sudah ada; data demo tidak dimuat ulang.")
    else:
        load_demo()
        db.session.commit()
        click.echo("Data demo dimuat.")
    click.echo("Akun demo (kata sandi sama untuk semua):")
    for role, login, password in DEMO_LOGINS:
        click.echo(f"  {role:<18} {login:<34} {password}")
    current_app.logger.info("seed-demo done")
