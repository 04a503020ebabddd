"""Business rules beyond the JSON Schema, referenced by name from a request type's `x-handover.rules`."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple
from collections.abc import Callable, Mapping

import holidays

from .text import same_party


@dataclass(frozen=True)
class Problem:
    """An invalid item or a warning: a stable code plus the parameters its message needs."""
    field: str | None
    code: str
    params: Mapping[str, object] = field(default_factory=dict)


class RuleContext(NamedTuple):
    """What a rule reads of one ticket (a named tuple, not a frozen dataclass: one is made per ticket)."""
    values: Mapping[str, object]     # normalised values
    valid: frozenset[str]            # fields present and valid so far
    today: date
    filed_on: date
    country: str


@dataclass(frozen=True)
class RuleOutcome:
    invalid: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    expected_completion: date | None = None


NO_OUTCOME = RuleOutcome()   # a rule with nothing to say (outcomes are frozen: one serves every ticket)


class UnknownCountry(ValueError):
    """The configured holiday country is not known to the holidays package."""


@lru_cache(maxsize=64)
def holiday_calendar(country: str, year: int) -> holidays.HolidayBase:
    try:
        return holidays.country_holidays(country, years=(year, year + 1))
    except NotImplementedError as error:
        raise UnknownCountry(f"unknown holiday country {country!r}; use an ISO 3166 code such as GB, PL, ES") from error


@lru_cache(maxsize=4096)
def add_business_days(start: date, days: int, country: str) -> date | None:
    """The date `days` business days after start, skipping weekends and the country's public holidays.

    None when that lies beyond the last date the calendar can hold (9999-12-31)."""
    calendar = holiday_calendar(country, start.year)
    current = start
    remaining = days
    try:
        while remaining > 0:
            current += timedelta(days=1)
            if current.weekday() < 5 and current not in calendar:
                remaining -= 1
    except OverflowError:
        return None
    return current


def years_later(day: date, years: int) -> date:
    """The same day `years` later (28 February for 29 February), no later than date.max."""
    year = min(day.year + years, date.max.year)
    return day.replace(year=year, day=min(day.day, 28) if (day.month, day.day) == (2, 29) else day.day)


def differs(rule: Mapping, context: RuleContext) -> RuleOutcome:
    """The new party must not be the current one (compared without case, accents or punctuation)."""
    new, current = rule["field"], rule["from"]
    if {new, current} <= context.valid and same_party(str(context.values[new]), str(context.values[current])):
        return RuleOutcome(invalid=(Problem(new, "same_as_current", {"other_field": current}),))
    return NO_OUTCOME


MAX_YEARS_AHEAD = 5  # a requested date further away than this is a typo in the year, not a plan


def not_in_past(rule: Mapping, context: RuleContext) -> RuleOutcome:
    """The date must be today or later, and no more than `max_years` (default 5) years away."""
    name = rule["field"]
    if name not in context.valid:
        return NO_OUTCOME
    value = date.fromisoformat(str(context.values[name]))
    years = int(rule.get("max_years", MAX_YEARS_AHEAD))
    if value < context.today:
        return RuleOutcome(invalid=(Problem(name, "date_in_past"),))
    if value > years_later(context.today, years):
        return RuleOutcome(invalid=(Problem(name, "date_too_far", {"years": years}),))
    return NO_OUTCOME


def expected_completion(rule: Mapping, context: RuleContext) -> RuleOutcome:
    """Completion estimate: up to N business days after the requested date (or today, if later)."""
    name = rule["field"]
    if name not in context.valid:
        return NO_OUTCOME
    start = max(date.fromisoformat(str(context.values[name])), context.today)
    return RuleOutcome(expected_completion=add_business_days(start, int(rule.get("business_days", 2)), context.country))


def filed_after_day(rule: Mapping, context: RuleContext) -> RuleOutcome:
    """Warn when the request was filed after the given day of the month (e.g. mid-month cut-off)."""
    if context.filed_on.day > int(rule["day"]):
        return RuleOutcome(warnings=(Problem(None, str(rule.get("warning", "after_mid_month")), {"day": rule["day"]}),))
    return NO_OUTCOME


RULES: dict[str, Callable[[Mapping, RuleContext], RuleOutcome]] = {
    "differs": differs,
    "not_in_past": not_in_past,
    "expected_completion": expected_completion,
    "filed_after_day": filed_after_day,
}
# Keys each rule needs in its data entry; checked when the catalog loads.
RULE_KEYS: dict[str, tuple[str, ...]] = {
    "differs": ("field", "from"),
    "not_in_past": ("field",),
    "expected_completion": ("field",),
    "filed_after_day": ("day",),
}
