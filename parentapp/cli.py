"""Flask commands: accounts, demo data (jobs and imports join later)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from parentapp import jobs, scheduler, seed
from parentapp.errors import AppError
from parentapp.models import utcnow
from parentapp.services.accounts import users as accounts
from parentapp.services.nurseries import register_import

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
    click.echo(f"{name}: {scheduler.run_and_record(name, utcnow())}")


@click.command("seed-demo")
def seed_demo() -> None:
    """Demo data for Shizhu county (idempotent)."""
    seed.seed_demo(echo=click.echo)


nurseries_cli = AppGroup("nurseries", help="The nursery register.")


@nurseries_cli.command("import")
@click.argument("csv_file", type=click.File("rb"))
@click.option("--operator", "operator_username", required=True,
              help="Username of the operator account that will own new nurseries.")
@click.option("--dry-run", is_flag=True, help="Check and count; write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows even if some are not.")
def import_nurseries(csv_file, operator_username: str, dry_run: bool,
                     skip_invalid: bool) -> None:
    """Import the commission's register of filed nurseries (columns: see README)."""
    raw = csv_file.read()
    try:
        rows = len(register_import.read_rows(register_import.decode(raw)))
        with click.progressbar(length=max(rows, 1), label="检查") as bar:
            report = register_import.import_register(
                raw, operator_username, utcnow(), source=csv_file.name, dry_run=dry_run,
                skip_invalid=skip_invalid, progress=bar.update)
    except register_import.ImportFileError as exc:
        raise click.ClickException(str(exc)) from exc
    for error in report.errors:
        click.echo(f"第 {error.line} 行 {error.column}：{error.problem}", err=True)
    verb = "写入" if report.written else "未写入（预演）" if dry_run else "未写入"
    click.echo(f"{report.rows} 行：新增 {report.created}，更新 {report.updated}，"
               f"未变 {report.unchanged}，有误 {report.invalid}；{verb}。")
    if report.errors and not report.written:
        raise SystemExit(1)


@click.command("scheduler")
def run_scheduler() -> None:
    """Run the scheduled jobs (blocks; a second process stands by)."""
    scheduler.run_scheduler(current_app._get_current_object())


def init_app(app: Flask) -> None:
    app.cli.add_command(nurseries_cli)
    app.cli.add_command(users)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(seed_demo)
    app.cli.add_command(run_scheduler)
