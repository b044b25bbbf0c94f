"""Flask commands: accounts, demo data (jobs and imports join later)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from parentapp import jobs, seed
from parentapp.errors import AppError
from parentapp.models import utcnow
from parentapp.services import accounts

users = AppGroup("users", help="Staff accounts.")


@users.command("create")
@click.option("--role", type=click.Choice(["regulator", "operator"]), required=True)
@click.option("--username", required=True)
@click.option("--password", required=True)
def create_user(role: str, username: str, password: str) -> None:
    """Create a regulator (or operator) account."""
    try:
        accounts.validate_password(password)
        user = accounts.create_staff_user(role, username, password, utcnow())
    except AppError as exc:
        raise click.ClickException(f"{exc.message} {exc.details or ''}".strip()) from exc
    click.echo(f"created {role} {username} (id {user.id})")


jobs_cli = AppGroup("jobs", help="Scheduled jobs, run once by hand.")


@jobs_cli.command("list")
def list_jobs() -> None:
    """Name every job the scheduler runs."""
    for name in sorted(jobs.JOBS):
        click.echo(name)


@jobs_cli.command("run")
@click.argument("name")
def run_job(name: str) -> None:
    """Run one job now, e.g. dispatch-notifications."""
    if name not in jobs.JOBS:
        raise click.ClickException(f"unknown job {name!r}; see `jobs list`")
    click.echo(f"{name}: {jobs.run_job(name, utcnow())}")


@click.command("seed-demo")
def seed_demo() -> None:
    """Demo data for Shizhu county (idempotent)."""
    seed.seed_demo(echo=click.echo)


def init_app(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(seed_demo)
