"""The content the bot serves: every file of `content/`, validated, with the lookups the handlers need.

`read_content` is the one entry point for start-up, `/reload` and `check-content`, so the three can never
disagree about what is valid.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from bot.content.answers import AnswersFile, SavedAnswer
from bot.content.ban_rules import BanRules
from bot.content.catalogue import Catalogue, ServicesFile, TrainingFile
from bot.content.common import LOCALES, StrictModel
from bot.content.contacts import Contact, ContactsFile, Country
from bot.content.topics import Topic, TopicsFile
from bot.content.validate import Problem, count_entries, validate_dir
from bot.services.search import Document, SearchIndex

log = logging.getLogger(__name__)

FileModel = TypeVar("FileModel", bound=StrictModel)


class ContentError(Exception):
    """The content has errors; the message is their `file:line: key: problem` lines, one per line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class Content:
    """One consistent snapshot of every content file; `/reload` replaces it whole, never in part."""

    topics: Mapping[str, Topic]
    root: tuple[str, ...]
    parents: Mapping[str, str]
    countries: tuple[Country, ...]
    contacts: tuple[Contact, ...]
    search: SearchIndex
    ban_rules: BanRules
    catalogue: Catalogue
    answers: Mapping[str, SavedAnswer]  # saved answers for /answer, by key

    @classmethod
    def from_files(cls, files: Mapping[str, StrictModel]) -> Content:
        guide = _find(files, TopicsFile)
        directory = _find(files, ContactsFile)
        return cls(
            topics=guide.topics_by_id(),
            root=guide.root,
            parents={child: topic.id for topic in guide.topics for child in topic.children},
            countries=directory.countries,
            contacts=directory.contacts,
            search=SearchIndex(
                Document(topic.id, locale, topic.title.get(locale), topic.body.get(locale))
                for topic in guide.topics
                for locale in LOCALES
            ),
            ban_rules=_find(files, BanRules),
            catalogue=Catalogue(training=_find(files, TrainingFile), services=_find(files, ServicesFile)),
            answers={answer.key: answer for answer in _find(files, AnswersFile).answers},
        )

    def children(self, topic_id: str | None) -> tuple[Topic, ...]:
        """The entries of one level of the guide: the root sections when `topic_id` is None."""
        ids = self.root if topic_id is None else self.topics[topic_id].children
        return tuple(self.topics[child] for child in ids)

    def country(self, country_id: str) -> Country | None:
        return next((country for country in self.countries if country.id == country_id), None)

    def contacts_in(self, country_id: str, city_id: str | None) -> tuple[Contact, ...]:
        """Contacts of a country; with a city, that city's and the country-wide ones (e.g. 112)."""
        return tuple(
            contact
            for contact in self.contacts
            if contact.country == country_id and (city_id is None or contact.city in (None, city_id))
        )


class ContentStore:
    """The content being served, shared by every handler as the `content` service.

    aiogram copies the dispatcher's services once when polling starts, so `/reload` cannot replace the
    service itself: it swaps what this one shared object holds, and every later update sees the new content.
    """

    def __init__(self, current: Content) -> None:
        self.current = current


def _find(files: Mapping[str, StrictModel], model: type[FileModel]) -> FileModel:
    for parsed in files.values():
        if isinstance(parsed, model):
            return parsed
    raise KeyError(f"no content file is registered for {model.__name__}")


def read_content(directory: Path, today: date | None = None) -> tuple[Content | None, list[Problem]]:
    """The content of `directory`, or None when any file has an error; and every problem found."""
    files, problems = validate_dir(directory, today or date.today())
    if any(problem.is_error for problem in problems):
        return None, problems
    return Content.from_files(files), problems


def load_content(directory: Path) -> Content:
    """The content to start the bot with; warnings are logged, errors raise ContentError."""
    content, problems = read_content(directory)
    for problem in problems:
        if not problem.is_error:
            log.warning("content.warning", extra={"problem": str(problem)})
    if content is None:
        raise ContentError([problem for problem in problems if problem.is_error])
    return content


@dataclass(frozen=True)
class ContentReport:
    """What `python -m bot check-content` found: its problems, and what it read when there are none."""

    problems: list[Problem]
    files: int
    entries: int

    @property
    def exit_code(self) -> int:
        return 1 if any(problem.is_error for problem in self.problems) else 0

    def summary(self) -> str:
        """The line that says all is well, so an author knows the check ran over everything."""
        warnings = f", {len(self.problems)} warnings above" if self.problems else ""
        return f"content ok: {self.files} files, {self.entries} entries, texts checked in {', '.join(LOCALES)}{warnings}"


def content_report(directory: Path, today: date | None = None) -> ContentReport:
    files, problems = validate_dir(directory, today or date.today())
    return ContentReport(problems, len(files), count_entries(files))


def check_content(directory: Path, today: date | None = None) -> tuple[list[Problem], int]:
    """What `python -m bot check-content` prints and exits with: 1 on any error, 0 otherwise."""
    report = content_report(directory, today)
    return report.problems, report.exit_code
