"""The `handover` command line: check, serve, worker, fake-zendesk."""
from __future__ import annotations

import json
import sys
from datetime import date, datetime

import click

from .config import ConfigError, load_config
from .documents import DocumentError, read_document
from .engine.catalog import CatalogError
from .engine.rules import UnknownCountry

EXIT_USAGE = 2


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


def main(argv: list[str] | None = None) -> int:
    """Entry point: every user error is one line on stderr and exit code 2, never a traceback."""
    try:
        cli.main(args=argv, prog_name="handover", standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        click.echo(f"handover: error: {error.format_message()}".splitlines()[0], err=True)
        return EXIT_USAGE
    except (DocumentError, ConfigError, CatalogError, UnknownCountry) as error:
        click.echo(f"handover: error: {error}".splitlines()[0], err=True)
        return EXIT_USAGE
    except click.Abort:
        click.echo("handover: aborted", err=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
