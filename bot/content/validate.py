"""Reading and checking the YAML files of a content directory, with every problem located at a line.

Problems are collected, not raised: an author fixing a file wants the whole list in one run. Errors stop
the bot from starting (or a reload from taking effect); warnings, such as a fact not checked for a year,
are printed but do not.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.content.buttons import button_findings
from bot.content.common import (
    LOCALES,
    ContentFile,
    Finding,
    HtmlText,
    LocalizedText,
    Location,
    Sourced,
    StrictModel,
    walk_model,
)
from bot.content.consistency import claims, conflicts, flag_mark_findings, source_findings
from bot.content.lang_checks import latin_words, markup_problem
from bot.content.registry import CONTENT_FILES
from bot.content.terms import term_problems
from bot.content.yamlsource import YamlSyntaxError, parse_yaml
from bot.services.telegram_html import TelegramHtmlError, parse_html, utf16_len

MAX_TEXT = 4096


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    key: str
    message: str
    severity: str = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        prefix = "" if self.is_error else f"{self.severity}: "
        if not self.line:  # about the folder, not a place in a file
            return f"{self.file}: {prefix}{self.message}"
        return f"{self.file}:{self.line}: {self.key}: {prefix}{self.message}"


def validate_dir(directory: Path, today: date) -> tuple[dict[str, StrictModel], list[Problem]]:
    """Every registered file of `directory` that validated, by name, and the problems of all of them."""
    files: dict[str, StrictModel] = {}
    problems: list[Problem] = []
    if not directory.is_dir():  # one line, not one "file is missing" per file
        return files, [Problem(str(directory), 0, "", "no such folder: set CONTENT_DIR to the content folder")]
    for name, model in CONTENT_FILES.items():
        parsed, found = validate_file(directory / name, model, today)
        problems += found
        if parsed is not None:
            files[name] = parsed
    problems += flag_problems(directory, files)
    return files, problems


def flag_problems(directory: Path, files: dict[str, StrictModel]) -> list[Problem]:
    """One line at each place that shows as certain a fact (or phone, or website) flagged elsewhere."""
    found = [claim for name, parsed in files.items() for claim in claims(name, parsed)]
    documents: dict[str, Any] = {}

    def where(file: str, loc: Location) -> tuple[int, str]:
        if file not in documents:
            documents[file] = parse_yaml((directory / file).read_text(encoding="utf-8"))
        return documents[file].locate(loc)

    problems = []
    for certain, flagged in conflicts(found):
        line, key = where(certain.file, certain.loc)
        other_line, other_key = where(flagged.file, flagged.loc)
        problems.append(
            Problem(
                str(directory / certain.file),
                line,
                key,
                f"{certain.key!r} is shown as certain here but flagged at {flagged.file}:{other_line} "
                f"({other_key}): one flag per fact, flag it everywhere or confirm it everywhere",
            )
        )
    return problems


def validate_file(
    path: Path, model: type[StrictModel], today: date
) -> tuple[StrictModel | None, list[Problem]]:
    """The file's model (None when it does not validate) and its problems, errors and warnings."""
    file = str(path)
    try:
        document = parse_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, [Problem(file, 1, "(file)", "file is missing")]
    except UnicodeDecodeError:
        return None, [Problem(file, 1, "(file)", "file is not UTF-8 text")]
    except OSError as exc:  # unreadable for this user, or a folder of that name
        return None, [Problem(file, 1, "(file)", f"cannot read the file ({exc.strerror})")]
    except YamlSyntaxError as exc:
        return None, [Problem(file, exc.line, "(yaml)", exc.message)]

    def problem(loc: Location, message: str, severity: str = "error") -> Problem:
        line, key = document.locate(loc)
        return Problem(file, line, key or "(file)", message, severity)

    duplicates = [Problem(file, line, key, "key written twice") for line, key in document.duplicate_keys()]
    if duplicates:
        return None, duplicates

    try:
        parsed = model.model_validate(document.data)
    except ValidationError as exc:
        return None, [problem(error["loc"], _describe(error)) for error in exc.errors()]
    own = parsed.findings() if isinstance(parsed, ContentFile) else []
    findings = [*own, *generic_findings(parsed, today), *source_findings(parsed), *flag_mark_findings(parsed),
                *button_findings(parsed)]
    problems = [problem(finding.loc, finding.message, finding.severity) for finding in findings]
    if any(item.is_error for item in problems):
        return None, problems
    return parsed, problems


def stale_entries(directory: Path, before: date) -> list[Problem]:
    """Every fact whose `verified_on` is before `before`, located at its line: the console's review list.

    Files that do not validate are skipped: their problems are reported by `validate_dir` already."""
    found: list[Problem] = []
    for name, model in CONTENT_FILES.items():
        path = directory / name
        try:
            document = parse_yaml(path.read_text(encoding="utf-8"))
            parsed = model.model_validate(document.data)
        except (OSError, UnicodeDecodeError, YamlSyntaxError, ValidationError):
            continue
        for loc, value in _walk(parsed, ()):
            if isinstance(value, Sourced) and value.verified_on < before:
                line, key = document.locate(loc + ("verified_on",))
                found.append(Problem(str(path), line, key, value.verified_on.isoformat(), "review"))
    return found


def count_entries(files: dict[str, StrictModel]) -> int:
    """The sourced entries (facts with a source and a date) of the files: what `check-content` reports."""
    return sum(isinstance(value, Sourced) for parsed in files.values() for _, value in _walk(parsed, ()))


def generic_findings(model: BaseModel, today: date) -> Iterator[Finding]:
    """Checks every content file gets: text length, Telegram HTML, and how fresh each source is."""
    stale_before = _year_before(today)
    for loc, value in _walk(model, ()):
        if isinstance(value, LocalizedText):
            for locale in LOCALES:
                yield from _text_findings(value.get(locale), isinstance(value, HtmlText), loc + (locale,))
                for message in term_problems(value.get(locale), locale):
                    yield Finding(loc=loc + (locale,), message=message)
            yield from _translation_findings(value, loc)
        if isinstance(value, Sourced):
            if value.verified_on > today:
                yield Finding(
                    loc=loc + ("verified_on",), message=f"verified_on {value.verified_on} is in the future"
                )
            elif value.verified_on < stale_before:
                yield Finding(
                    loc=loc + ("verified_on",),
                    message=f"verified_on {value.verified_on} is older than 12 months: check the facts again",
                    severity="warning",
                )


def _translation_findings(value: LocalizedText, loc: Location) -> Iterator[Finding]:
    """Kyrgyz and Russian keep the English text's placeholders, tags and commands, and write no Latin words.

    Broken HTML is reported on its own: its tags are not compared as well."""
    if isinstance(value, HtmlText):
        try:
            for locale in LOCALES:
                parse_html(value.get(locale))
        except TelegramHtmlError:
            return
    for locale in ("ky", "ru"):
        problem = markup_problem(value.en, value.get(locale))
        if problem:
            yield Finding(loc=loc + (locale,), message=problem)
        words = latin_words(value.get(locale))
        if words:
            yield Finding(
                loc=loc + (locale,),
                message=f"Latin letters in a {'Kyrgyz' if locale == 'ky' else 'Russian'} text: "
                f"{', '.join(dict.fromkeys(words))} (a name? add it to NAMES in bot/content/lang_checks.py)",
            )


def _text_findings(text: str, is_html: bool, loc: Location) -> Iterator[Finding]:
    shown = text
    if is_html:
        try:
            shown, _ = parse_html(text)
        except TelegramHtmlError as exc:
            yield Finding(loc=loc, message=f"HTML Telegram would reject: {exc.description}")
            return
    if utf16_len(shown) > MAX_TEXT:
        yield Finding(loc=loc, message=f"text is {utf16_len(shown)} characters, over Telegram's {MAX_TEXT}")


_walk = walk_model


def _describe(error: Any) -> str:
    """A pydantic error in the words of a content author."""
    kind, loc = error["type"], error["loc"]
    last = loc[-1] if loc else ""
    if kind == "missing":
        return f"missing language {last}" if last in LOCALES else f"missing key {last!r}"
    if kind == "extra_forbidden":
        return f"unknown key {last!r}"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
