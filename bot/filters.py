"""Schedules' filters, read as exactly as the rest of a config: a sector, country or region is named as
newsbot knows it (any case or accents, a code, an alias, a demonym, a flag), never a near miss, which
the error offers instead ("kenia": did you mean Kenya?). The config is checked when it is loaded."""

from __future__ import annotations

from typing import TYPE_CHECKING

from content.model import Query
from content.tagging import Match, Resolution, Tagger

if TYPE_CHECKING:
    from bot.config import FilterSettings, ScheduleSettings


class FilterError(ValueError):
    """Names in schedules' filters that are no sector or place as written; the message names each one's key."""


def filter_queries(schedules: list[ScheduleSettings], tagger: Tagger) -> dict[str, Query]:
    """Each schedule's filter as a query, by schedule name; raises FilterError naming every unknown name."""
    queries, problems = {}, []
    for position, schedule in enumerate(schedules):
        query, unknown = _filter_query(schedule.filter, tagger, f"schedules[{position}].filter")
        queries[schedule.name] = query
        problems += unknown
    if problems:
        raise FilterError("; ".join(problems))
    return queries


def _filter_query(filter: FilterSettings, tagger: Tagger, key: str) -> tuple[Query, list[str]]:
    """The filter as a query, and what is wrong with each name that is none, under its key."""
    sectors, places, problems = [], [], []
    for index, name in enumerate(filter.sectors):
        if match := _exact(tagger.resolve_sector(name)):
            sectors.append(match.id)
        else:
            problems.append(f"{key}.sectors[{index}]: {_unknown_sector(name, tagger)}")
    for index, name in enumerate(filter.countries):
        if match := _exact(tagger.resolve_place(name)):
            places.append(match)
        else:
            problems.append(f"{key}.countries[{index}]: {_unknown_place(name, tagger)}")
    countries = tuple(place.id for place in places if place.kind == "country")
    regions = tuple(place.id for place in places if place.kind == "region")
    return Query(tuple(sectors), countries, regions, filter.query or None), problems


def _exact(resolution: Resolution) -> Match | None:
    """The match of a name as newsbot knows it; a near miss ("kenia", "agri") is no match."""
    match = resolution.match
    return match if match is not None and match.score == 100 else None


def _unknown_sector(name: str, tagger: Tagger) -> str:
    """Why a name is no sector, and what the operator may write instead: the config's sector ids
    are listed nowhere else."""
    if place := _exact(tagger.resolve_place(name)):
        return f'"{name}" is no sector but {place.name}, a country or region: put it in filter.countries'
    known = f"known sectors: {', '.join(sorted(tagger.sector_names()))}"
    return f'unknown sector "{name}" ({_did_you_mean(tagger.resolve_sector(name)) or known})'


def _unknown_place(name: str, tagger: Tagger) -> str:
    if sector := _exact(tagger.resolve_sector(name)):
        return f'"{name}" is no country or region but {sector.name}, a sector: put it in filter.sectors'
    resolution = tagger.resolve_place(name)
    if len(resolution.suggestions) > 1 and all(match.score == 100 for match in resolution.suggestions):
        return f'"{name}" could be {_either(resolution.suggestions)}: write which'
    guess = _did_you_mean(resolution)
    return f'unknown country or region "{name}"' + (f" ({guess})" if guess else "")


def _did_you_mean(resolution: Resolution) -> str:
    near = (resolution.match, *resolution.suggestions) if resolution.match else resolution.suggestions
    return f"did you mean {_either(near)}?" if near else ""


def _either(matches: tuple[Match, ...]) -> str:
    return " or ".join(match.name for match in matches)
