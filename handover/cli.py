"""The `handover` command line: check, serve, worker, fake-zendesk."""
from __future__ import annotations

import json
import logging
import sys
import threading
from datetime import date, datetime
from pathlib import Path

import click

from .config import ConfigError, load_config
from .documents import DocumentError, read_document
from .engine.catalog import CatalogError
from .engine.rules import UnknownCountry
from .errors import ZendeskNotConfigured

EXIT_USAGE = 2
log = logging.getLogger("handover")


def _parse_now(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError as error:
        raise click.BadParameter(f"--now must be a date like 2026-12-01, got {value!r}") from error


def _human(result: dict) -> str:
    if result["request_type"] is None:
        return f"ticket {result['ticket_id']}: no handover request type applies (nothing to check)"
    state = "complete" if result["complete"] else "incomplete"
    lines = [f"ticket {result['ticket_id']}: {result['request_type']}, {state}, reply language {result['locale']}"]
    if result["missing"]:
        lines.append("missing: " + ", ".join(result["missing"]))
    lines += [f"invalid: {item['field']} [{item['code']}] {item['message']}" for item in result["invalid"]]
    lines += [f"warning: [{item['code']}] {item['message']}" for item in result["warnings"]]
    if result.get("expected_completion"):
        lines.append(f"expected completion: {result['expected_completion']}")
    lines.append("fields:")
    lines += [f"  {name} = {json.dumps(value, ensure_ascii=False)}" for name, value in result["fields"].items()]
    lines.append("actions:")
    lines += ["  " + _action_line(action) for action in result["actions"]]
    if result["comment"]:
        lines += ["", "--- public reply ---", result["comment"]]
    lines += ["", "--- internal note ---", result["internal_note"]]
    return "\n".join(lines)


def _action_line(action: dict) -> str:
    shown = {key: (f"<{len(value)} characters>" if key == "body" else value) for key, value in action.items()}
    return " ".join(f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in shown.items())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """handover: checks account-transfer requests the moment they arrive."""


@cli.command()
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--now", "now", metavar="DATE", help="Evaluate as of this date (default: today), e.g. 2026-12-01.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the readable summary.")
@click.option("--type", "type_name", metavar="TYPE", help="Force a request type instead of detecting it.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="The admin's YAML configuration.")
def check(file, now, as_json, type_name, config_path) -> None:
    """Check a ticket document (FILE, or - for stdin) and print the verdict, without touching Zendesk."""
    from .checking import catalog_for, check_document
    from .engine.decide import decision_to_json

    today = _parse_now(now)
    config = load_config(config_path=config_path)
    catalog = catalog_for(config.policy)
    if type_name and type_name not in catalog.types:
        raise click.BadParameter(f"unknown request type {type_name!r} (known: {', '.join(sorted(catalog.types))})")
    source = getattr(file, "name", "<stdin>")
    document = read_document(file, "stdin" if source == "<stdin>" else source)
    decision = check_document(document, config.policy, today, type_name, catalog)
    result = decision_to_json(decision, catalog, (document.get("ticket") or {}).get("id"))
    click.echo(json.dumps(result, ensure_ascii=False, indent=2) if as_json else _human(result))


def _runtime_config(dry_run: bool):
    from dataclasses import replace

    config = load_config()
    return replace(config, force_dry_run=True) if dry_run else config


def _start_demo_zendesk(config, tickets_dir: Path | None):
    """No credentials: serve a built-in fake Zendesk seeded with example tickets, in dry run."""
    from dataclasses import replace

    from handover.testing.fake_zendesk import FakeZendesk

    fake = FakeZendesk(email=None, token=None)
    ticket_ids: list[int] = []
    for path in sorted(tickets_dir.glob("*.json")) if tickets_dir and tickets_dir.is_dir() else ():
        ticket_ids += fake.load_file(path)
    url = fake.start("127.0.0.1", 0)
    log.warning("dry run: no Zendesk credentials; reading from a built-in fake Zendesk at %s with %d example "
                "tickets; nothing is written to any Zendesk", url, len(ticket_ids))
    demo = replace(config, zendesk_url=url, zendesk_email="demo@handover.invalid", zendesk_api_token="demo",
                   force_dry_run=True)
    return demo, fake, ticket_ids


def _enqueue_demo_tickets(config, ticket_ids: list[int]) -> None:
    """Queue every example ticket once, so the first run shows real verdicts in the log."""
    from handover.ledger import migrate
    from handover.queue import enqueue_delivery
    from handover.wiring import build_services

    migrate(config.effective_database_url)
    services = build_services(config)
    for ticket_id in ticket_ids:
        delivery, created = services.ledger.record_delivery(f"demo:{ticket_id}", ticket_id,
                                                            {"ticket_id": str(ticket_id), "via": "demo"})
        if created:
            enqueue_delivery(services.huey, delivery.id, ticket_id)
    services.ledger.dispose()


@cli.command()
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, help="Port (default: $PORT or 8080).")
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True, help="Web server threads.")
@click.option("--dry-run", is_flag=True, help="Record intended Zendesk updates in the ledger instead of sending them.")
@click.option("--demo-tickets", type=click.Path(file_okay=False, path_type=Path), default=Path("examples"),
              show_default=True, help="Without credentials: example tickets the built-in fake Zendesk serves.")
def serve(host, port, threads, dry_run, demo_tickets) -> None:
    """Run the webhook receiver and an embedded worker (SQLite by default; dry run without credentials)."""
    from handover.logs import configure_logging
    from handover.service import serve as run_server

    configure_logging("INFO")
    config = _runtime_config(dry_run)
    catalog_check(config)
    fake = None
    if not config.has_zendesk_credentials:
        config, fake, ticket_ids = _start_demo_zendesk(config, demo_tickets)
        _enqueue_demo_tickets(config, ticket_ids)
    if not config.webhook_secret:
        log.warning("HANDOVER_WEBHOOK_SECRET is not set: POST /webhooks/zendesk answers 503 until it is")
    try:
        run_server(config, host, port, threads=threads)
    finally:
        if fake is not None:
            fake.stop()
    SERVED.set()


@cli.command()
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="Consumer threads.")
@click.option("--dry-run", is_flag=True, help="Record intended Zendesk updates in the ledger instead of sending them.")
@click.option("--recover-after", type=click.FloatRange(min=1), default=300, show_default=True, metavar="SECONDS",
              help="Re-enqueue deliveries unfinished this long with no queued task (their worker died mid-job).")
def worker(workers, dry_run, recover_after) -> None:
    """Run queue consumers only (scale-out: set REDIS_URL and DATABASE_URL)."""
    from handover.logs import configure_logging
    from handover.service import run_worker
    from handover.wiring import make_client

    configure_logging("INFO")
    config = _runtime_config(dry_run)
    catalog_check(config)
    make_client(config)  # fail now, with a clear message, when there is no Zendesk to read from
    run_worker(config, workers, recover_after=recover_after)
    SERVED.set()


@cli.command("fake-zendesk")
@click.argument("seed_files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8081, show_default=True)
def fake_zendesk(seed_files, host, port) -> None:
    """Serve an in-memory fake Zendesk (tests and demos), seeded with ticket documents (JSON files)."""
    from handover.logs import configure_logging
    from handover.testing.fake_zendesk import run

    configure_logging("INFO")
    run(host, port, list(seed_files))


def catalog_check(config) -> None:
    """Load the catalog and holiday calendar once up front so a bad configuration stops the start."""
    from .checking import catalog_for
    from .engine.rules import holiday_calendar

    catalog_for(config.policy)
    holiday_calendar(config.policy.country, date.today().year)


def main(argv: list[str] | None = None) -> int:
    """Entry point: every user error is one line on stderr and exit code 2, never a traceback."""
    try:
        cli.main(args=argv, prog_name="handover", standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        click.echo(f"handover: error: {error.format_message()}".splitlines()[0], err=True)
        return EXIT_USAGE
    except (DocumentError, ConfigError, CatalogError, UnknownCountry, ZendeskNotConfigured) as error:
        click.echo(f"handover: error: {error}".splitlines()[0], err=True)
        return EXIT_USAGE
    except click.Abort:
        click.echo("handover: aborted", err=True)
        return 1
    return 0


SERVED = threading.Event()
"""Set when `serve` or `worker` has run to its end."""


def entry() -> None:
    """The `handover` command: main(); after a server or worker stopped, exit without tearing the
    interpreter down, which takes seconds of garbage collection that free nothing anyone needs."""
    code = main()
    if SERVED.is_set():
        from handover.server import exit_now

        exit_now(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
