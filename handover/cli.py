"""The `handover` command line: check, serve, worker, init, provision, purge, fake-zendesk."""
from __future__ import annotations

import codecs
import json
import logging
import os
import sys
import threading
from datetime import date, datetime
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from .config import ConfigError, load_config
from .documents import DocumentError, read_document
from .engine.catalog import CatalogError
from .engine.rules import UnknownCountry
from .errors import QueueUnavailable, ZendeskNotConfigured

EXIT_USAGE = 2
log = logging.getLogger("handover")


def _parse_now(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError as error:
        raise click.BadParameter(f"--now must be a date like 2026-12-01, got {value!r}") from error


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.version_option(package_name="handover", prog_name="handover", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx) -> None:
    """handover: checks account-transfer requests the moment they arrive."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@cli.command(short_help="Check a ticket document and print the verdict (no Zendesk).")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--now", "now", metavar="DATE", help="Evaluate as of this date (default: today), e.g. 2026-12-01.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the readable summary.")
@click.option("--type", "type_name", metavar="TYPE", help="Force a request type instead of detecting it.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="The admin's YAML configuration.")
def check(file, now, as_json, type_name, config_path) -> None:
    """Check a ticket document (FILE, or - for stdin) and print the verdict, without touching Zendesk."""
    from .check_report import render as render_report
    from .checking import catalog_for, check_document
    from .engine.decide import decision_to_json
    from .wiring import make_accounts

    today = _parse_now(now)
    config = load_config(config_path=config_path)
    catalog = catalog_for(config.policy)
    if type_name and type_name not in catalog.types:
        raise click.BadParameter(f"unknown request type {type_name!r} (known: {', '.join(sorted(catalog.types))})")
    source = getattr(file, "name", "<stdin>")
    document = read_document(file, "stdin" if source == "<stdin>" else source)
    decision = check_document(document, config.policy, today, type_name, catalog, accounts=make_accounts(config))
    result = decision_to_json(decision, catalog, (document.get("ticket") or {}).get("id"))
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=not _stdout_takes_unicode(), indent=2))
    else:
        admin_lang = config.policy.default_locale if config.policy.default_locale in catalog.languages else "en"
        click.echo(render_report(decision, result, catalog, admin_lang), color=False if os.environ.get("NO_COLOR") else None)


def _stdout_takes_unicode() -> bool:
    """False on a terminal or pipe whose encoding cannot hold every character (PYTHONIOENCODING=latin-1)."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        return codecs.lookup(encoding).name in ("utf-8", "utf-16", "utf-32", "gb18030")
    except LookupError:
        return False


def _runtime_config(dry_run: bool):
    from dataclasses import replace

    config = load_config()
    return replace(config, force_dry_run=True) if dry_run else config


def _demo_dirs(chosen: Path | None) -> list[Path]:
    """Where example tickets are looked for: the given directory, else ./examples, else the checkout's."""
    if chosen is not None:
        return [chosen]
    checkout = Path(__file__).resolve().parents[1] / "examples"
    return [Path("examples"), checkout] if checkout.resolve() != Path("examples").resolve() else [checkout]


def _demo_directory(tickets_dir: Path | None) -> Path | None:
    """The first candidate directory that holds JSON files."""
    return next((path for path in _demo_dirs(tickets_dir) if path.is_dir() and any(path.glob("*.json"))), None)


def _start_demo_zendesk(config, tickets_dir: Path | None):
    """No credentials: serve a built-in fake Zendesk seeded with example tickets, in dry run."""
    from dataclasses import replace

    from handover.testing.fake_zendesk import FakeZendesk, SeedError

    fake = FakeZendesk(email=None, token=None)
    directory = _demo_directory(tickets_dir)
    seeded: list[tuple[Path, int]] = []
    for path in sorted(directory.glob("*.json")) if directory else ():
        try:
            seeded += [(path, ticket_id) for ticket_id in fake.load_file(path)]
        except SeedError as error:
            log.warning("demo: skipping %s", error)
    url = fake.start("127.0.0.1", 0)
    if seeded:
        log.warning("dry run: no Zendesk credentials; a built-in fake Zendesk at %s serves the %d example tickets "
                    "in %s; nothing is written to any Zendesk", url, len(seeded), directory)
    else:
        looked = " and ".join(str(path) for path in _demo_dirs(tickets_dir))
        log.warning("dry run: no Zendesk credentials and no example tickets (looked in %s): the built-in fake "
                    "Zendesk at %s is empty, so there is nothing to check. Pass --demo-tickets DIR (ticket "
                    "documents as JSON), or set ZENDESK_SUBDOMAIN, ZENDESK_EMAIL and ZENDESK_API_TOKEN", looked, url)
    demo = replace(config, zendesk_url=url, zendesk_email="demo@handover.invalid", zendesk_api_token="demo",
                   force_dry_run=True)
    return demo, fake, seeded


def _enqueue_demo_tickets(config, seeded: list[tuple[Path, int]], admin_url: str) -> None:
    """Queue every example ticket at each start, and say where each verdict and would-be reply can be read."""
    import uuid

    from handover.ledger import migrate
    from handover.queue import enqueue_delivery
    from handover.wiring import build_services

    migrate(config.effective_database_url)
    services = build_services(config)
    ledger, huey = services.ledger, services.huey
    run = uuid.uuid4().hex[:8]  # a new delivery per start: a second `serve` checks the examples again
    for path, ticket_id in seeded:
        delivery, _ = ledger.record_delivery(f"demo:{run}:{ticket_id}", ticket_id,
                                             {"ticket_id": str(ticket_id), "via": "demo"})
        enqueue_delivery(huey, delivery.id, ticket_id)
        log.info("demo: ticket %s (%s) queued; `handover check %s` shows the same verdict and reply",
                 ticket_id, path.name, path, extra={"ticket_id": ticket_id})
    ledger.dispose()
    if seeded:
        # The page a browser can open (the JSON API at /admin/tickets/<id> needs a bearer header).
        where = f"{admin_url}/admin/ticket/<ticket id>"
        token = ("(sign in with HANDOVER_ADMIN_TOKEN)" if config.admin_token
                 else "once HANDOVER_ADMIN_TOKEN is set (sign in with it)")
        log.info("dry run: each update handover would make (reply, tags, status) is recorded in the ledger %s, "
                 "not sent; read it at %s %s. A ticket whose verdict did not change since the last run is "
                 "logged as 'verdict unchanged'", _ledger_name(config), where, token)


def _ledger_name(config) -> str:
    url = config.effective_database_url
    return url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url.split("@")[-1]


QUEUE = click.option("--queue", default="handover", show_default=True, metavar="NAME",
                     help="The queue's name: web and worker processes of one installation use the same "
                          "(several installations may share one Redis).")
LOG_FORMAT = click.option("--log-format", type=click.Choice(["auto", "text", "json"]), default="auto",
                          show_default=True, help="Log lines: readable text on a terminal, JSON otherwise (auto).")


@cli.command(short_help="Run the webhook receiver and an embedded worker.")
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), help="Port (default: $PORT or 8080).")
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True, help="Web server threads.")
@click.option("--dry-run", is_flag=True, help="Record intended Zendesk updates in the ledger instead of sending them.")
@click.option("--demo-tickets", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Without credentials: example tickets the built-in fake Zendesk serves "
                   "(default: ./examples, else the examples of the handover checkout).")
@click.option("--no-worker", is_flag=True,
              help="Web only: run no consumer here (scale-out: `handover worker` processes do the jobs).")
@QUEUE
@LOG_FORMAT
def serve(host, port, threads, dry_run, demo_tickets, no_worker, queue, log_format) -> None:
    """Run the webhook receiver and an embedded worker (SQLite by default; dry run without credentials)."""
    from handover.logs import configure_logging
    from handover.service import serve as run_server

    configure_logging("INFO", log_format=log_format)
    config = _runtime_config(dry_run)
    catalog_check(config)
    fake = None
    if not config.has_zendesk_credentials:
        config, fake, seeded = _start_demo_zendesk(config, demo_tickets)
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        _enqueue_demo_tickets(config, seeded, f"http://{shown_host}:{port or config.port}")
    if not config.webhook_secret:
        log.warning("no webhook secret (HANDOVER_WEBHOOK_SECRET, or the lock file of handover provision --apply): "
                    "POST /webhooks/zendesk answers 503 until there is one")
    try:
        run_server(config, host, port, threads=threads, consumer_workers=0 if no_worker else 1, queue_name=queue)
    finally:
        if fake is not None:
            fake.stop()
    SERVED.set()


@cli.command(short_help="Run queue consumers only (scale-out).")
@click.option("--concurrency", "--workers", "workers", type=click.IntRange(1, 64), default=2, show_default=True,
              metavar="N", help="Consumers (threads) in this process; the shared rate budget paces them all.")
@click.option("--dry-run", is_flag=True, help="Record intended Zendesk updates in the ledger instead of sending them.")
@click.option("--recover-after", type=click.FloatRange(min=1), default=300, show_default=True, metavar="SECONDS",
              help="Re-enqueue deliveries unfinished this long with no queued task (their worker died mid-job).")
@click.option("--recover-every", type=click.FloatRange(min=0.1), default=60, show_default=True, metavar="SECONDS",
              help="How often this process sweeps for such deliveries.")
@QUEUE
@LOG_FORMAT
def worker(workers, dry_run, recover_after, recover_every, queue, log_format) -> None:
    """Run queue consumers only (scale-out: set REDIS_URL and DATABASE_URL)."""
    from handover.logs import configure_logging
    from handover.service import run_worker
    from handover.wiring import make_client

    configure_logging("INFO", log_format=log_format)
    config = _runtime_config(dry_run)
    catalog_check(config)
    try:
        make_client(config)  # fail now, with a clear message, when there is no Zendesk to read from
    except ZendeskNotConfigured as error:
        raise ZendeskNotConfigured(
            f"{error}. A worker reads every ticket from Zendesk, with --dry-run too (which only keeps it "
            "from writing); to try handover without an account, `handover serve` checks example tickets") from None
    run_worker(config, workers, recover_after=recover_after, recover_every=recover_every, queue_name=queue)
    SERVED.set()


@cli.command(short_help="Write a commented, working handover.yaml.")
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing handover.yaml.")
@click.option("--locale", default="en", show_default=True, metavar="LANG",
              help="The default language: internal notes, and the titles Zendesk shows.")
def init(directory, force, locale) -> None:
    """Write a commented, working handover.yaml into DIRECTORY (default: the current directory)."""
    from .engine.catalog import load_catalog
    from .provisioning.template import write_config

    path = write_config(directory, load_catalog(), force=force, locale=locale)
    click.echo(f"wrote {path}\nnext: handover provision (shows the plan), then handover provision --apply")


@cli.command(short_help="Make Zendesk match handover.yaml (dry by default).")
@click.option("--apply", "apply_changes", is_flag=True, help="Carry the plan out (default: only show it).")
@click.option("--prune", is_flag=True, help="With --apply: also delete objects handover made that the file no longer has.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="The admin's YAML configuration.")
@click.option("--exit-code", is_flag=True, help="Without --apply: exit 1 when Zendesk differs from the file (drift checks).")
def provision(apply_changes, prune, config_path, exit_code) -> None:
    """Make Zendesk match handover.yaml: fields, form, macros, group, webhook, trigger (dry by default)."""
    from integration.zendesk import ZendeskError

    from .provisioning.model import UnresolvedReference
    from .provisioning.run import provision as run_provision
    from .wiring import make_client

    config = load_config(config_path=config_path)
    try:
        outcome = run_provision(config, make_client(config), apply=apply_changes, prune=prune, echo=click.echo)
    except (ZendeskError, UnresolvedReference) as error:
        raise click.ClickException(f"provision stopped: {error}") from error
    if exit_code and not apply_changes and outcome.plan.has_changes:
        raise click.exceptions.Exit(1)


@cli.command(short_help="Erase personal data from the ledger (audited).")
@click.option("--ticket", "ticket_id", type=click.IntRange(min=1), metavar="ID",
              help="Erase what this ticket's records hold about people.")
@click.option("--email", "address", metavar="ADDRESS",
              help="Erase it from every ticket where this address appears (requester, party or value).")
@click.option("--by", "actor", metavar="NAME", help="Who asked for it, for the audit line (default: your login name).")
@LOG_FORMAT
def purge(ticket_id, address, actor, log_format) -> None:
    """Erase personal data from the ledger by ticket or by email address, and write an audit line."""
    from handover.ledger.privacy import is_address
    from handover.logs import configure_logging

    if (ticket_id is None) == (address is None):
        raise click.UsageError("give exactly one of --ticket ID or --email ADDRESS")
    if address is not None and not is_address(address):
        raise click.BadParameter("--email must be one email address, e.g. anna@example.com")
    configure_logging("INFO", log_format=log_format)
    report = _purge(load_config(), ticket_id, address, (actor or _login_name()).strip()[:200] or "unknown")
    counts = report.reduction
    click.echo(f"purged {report.tickets} ticket(s): {counts.deliveries} deliveries, {counts.decisions} decisions, "
               f"{counts.outcomes} outcomes, {counts.dead_letters} dead letters (audit: erasure {report.id})")


def _purge(config, ticket_id: int | None, address: str | None, actor: str):
    from sqlalchemy.exc import SQLAlchemyError

    from handover.ledger import Ledger, migrate
    from handover.ledger.privacy import UnreadableValue

    try:
        migrate(config.effective_database_url)
        ledger = Ledger.from_url(config.effective_database_url, config.data_keys)
        try:
            if ticket_id is not None:
                return ledger.purge_tickets([ticket_id], actor)
            return ledger.purge_address(address, actor)
        finally:
            ledger.dispose()
    except SQLAlchemyError as error:
        raise click.ClickException(f"the ledger cannot be reached: {type(error).__name__}") from error
    except UnreadableValue as error:
        raise click.ClickException(str(error)) from error


def _login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in a bare container
        return "unknown"


@cli.command("fake-zendesk", short_help="Serve an in-memory fake Zendesk (tests and demos).")
@click.argument("seed_files", nargs=-1, metavar="[SEED.json]...", type=click.Path())
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8081, show_default=True,
              help="Port (0: any free port, printed at start).")
@LOG_FORMAT
def fake_zendesk(seed_files, host, port, log_format) -> None:
    """Serve an in-memory fake Zendesk (tests and demos), seeded with ticket documents (JSON files).

    It accepts any credentials: run handover with ZENDESK_URL=http://HOST:PORT, ZENDESK_EMAIL=<any address>
    and ZENDESK_API_TOKEN=<any text>."""
    from handover.logs import configure_logging
    from handover.testing.fake_zendesk import SeedError, run

    configure_logging("INFO", log_format=log_format)
    _check_can_listen(host, port)
    try:
        run(host, port, list(seed_files))
    except SeedError as error:
        raise click.ClickException(f"seed file {error}") from error
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}") from error


def _check_can_listen(host: str, port: int) -> None:
    """Refuse a taken or unusable address in one line (the server library would print its own text and exit 1)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        with socket.socket(infos[0][0], socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(infos[0][4])
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}") from error


def catalog_check(config) -> None:
    """Load the catalog and holiday calendar once up front so a bad configuration stops the start."""
    from .checking import catalog_for
    from .engine.rules import holiday_calendar

    catalog_for(config.policy)
    holiday_calendar(config.policy.country, date.today().year)


def main(argv: list[str] | None = None) -> int:
    """Entry point: every user error is one line on stderr and exit code 2, never a traceback."""
    _tolerant_streams()
    try:
        # Outside standalone mode click returns an Exit's code instead of raising it.
        code = cli.main(args=argv, prog_name="handover", standalone_mode=False)
        if isinstance(code, int) and code:
            return code
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        click.echo(f"handover: error: {error.format_message()}".splitlines()[0], err=True)
        return EXIT_USAGE
    except (DocumentError, ConfigError, CatalogError, UnknownCountry, ZendeskNotConfigured, QueueUnavailable) as error:
        click.echo(f"handover: error: {error}".splitlines()[0], err=True)
        return EXIT_USAGE
    except SQLAlchemyError as error:  # only a start-up can reach here: a bad or unreachable DATABASE_URL
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        click.echo(f"handover: error: cannot use the database (DATABASE_URL): {reason}", err=True)
        return EXIT_USAGE
    except click.Abort:
        click.echo("handover: aborted", err=True)
        return 1
    return 0


def _tolerant_streams() -> None:
    """A terminal that cannot show a character gets an escape (\\u0436), not a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # a closed or detached stream: nothing to print to anyway
                pass


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
