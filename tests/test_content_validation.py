"""Every content rule, each triggered by one broken fixture, reported as `file:line: key: problem`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.content.loader import check_content, read_content
from bot.content.validate import Problem
from tests.content_helpers import content_with, edit_entry

TODAY = date(2026, 12, 1)  # the day content/ban_rules.yaml was last checked


def _only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(problem) for problem in problems]
    return problems[0]


@pytest.mark.parametrize(
    ("fixture", "file", "line", "key", "message"),
    [
        ("missing-language", "topics.yaml", 4, "topics.a.title.ky", "missing language ky"),
        ("unknown-child", "topics.yaml", 7, "topics.a.children[0]", "unknown child id 'nowhere'"),
        ("duplicate-id", "topics.yaml", 8, "topics.a.id", "duplicate id 'a'"),
        ("cycle", "topics.yaml", 17, "topics.c.children", "cycle: b -> c -> b"),
        ("second-parent", "topics.yaml", 6, "topics.a.children[0]", "'b' is already listed under 'root'"),
        ("bad-html", "topics.yaml", 7, "topics.a.body.ru", "HTML Telegram would reject: Unmatched end tag"),
        ("too-long", "topics.yaml", 8, "topics.a.body.en", "text is 4399 characters, over Telegram's 4096"),
        ("bad-url", "topics.yaml", 8, "topics.a.links[0].url", "bad URL"),
        ("unknown-key", "topics.yaml", 6, "topics.a.sourse", "unknown key 'sourse'"),
        ("broken-yaml", "topics.yaml", 5, "(yaml)", "broken YAML"),
        ("future-date", "topics.yaml", 7, "topics.a.verified_on", "verified_on 2027-01-01 is in the future"),
        ("duplicate-key", "topics.yaml", 7, "topics.a.source", "key written twice"),
    ],
)
def test_each_rule_is_an_error_at_its_line(
    tmp_path: Path, fixture: str, file: str, line: int, key: str, message: str
) -> None:
    directory = content_with(tmp_path, fixture)

    problems, exit_code = check_content(directory, TODAY)

    problem = _only(problems)
    assert exit_code == 1
    assert (problem.file, problem.line, problem.key, problem.severity) == (
        str(directory / file),
        line,
        key,
        "error",
    )
    assert message in problem.message
    assert str(problem).startswith(f"{directory / file}:{line}: {key}: ")


@pytest.mark.parametrize(
    ("fixture", "line", "key", "message"),
    [
        ("stale-date", 7, "topics.a.verified_on", "older than 12 months"),
        ("unreachable", 8, "topics.orphan.id", "'orphan' is neither in root nor a child"),
    ],
)
def test_warnings_do_not_fail_the_check(
    tmp_path: Path, fixture: str, line: int, key: str, message: str
) -> None:
    directory = content_with(tmp_path, fixture)

    problems, exit_code = check_content(directory, TODAY)

    problem = _only(problems)
    assert exit_code == 0
    assert (problem.line, problem.key, problem.severity) == (line, key, "warning")
    assert str(problem) == f"{directory / 'topics.yaml'}:{line}: {key}: warning: {problem.message}"
    assert message in problem.message


def test_a_fact_checked_exactly_a_year_ago_is_still_fresh(tmp_path: Path) -> None:
    directory = content_with(tmp_path, "stale-date")

    problems, _ = check_content(directory, date(2026, 11, 24))

    assert [problem for problem in problems if problem.file == str(directory / "topics.yaml")] == []


def test_contacts_must_use_declared_countries_and_cities(tmp_path: Path) -> None:
    directory = content_with(tmp_path, "contacts-references")

    problems, exit_code = check_content(directory, TODAY)

    assert exit_code == 1
    assert [(p.line, p.key, p.message) for p in problems] == [
        (11, "contacts.one.country", "unknown country id 'kz'"),
        (19, "contacts.two.city", "unknown city id 'kazan' in country 'ru'"),
    ]


def test_contact_values_are_checked_one_problem_each(tmp_path: Path) -> None:
    directory = content_with(tmp_path, "contacts-values")

    problems, _ = check_content(directory, TODAY)

    assert [(p.line, p.key) for p in problems] == [
        (7, "contacts.one.kind"),
        (9, "contacts.one.phones"),
        (10, "contacts.one.website"),
    ]
    assert "'call me' is not a phone number" in problems[1].message
    assert problems[2].message.startswith("bad URL")


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    directory = content_with(tmp_path)
    (directory / "contacts.yaml").unlink()

    problem = _only(check_content(directory, TODAY)[0])

    assert (problem.file, problem.line, problem.message) == (
        str(directory / "contacts.yaml"),
        1,
        "file is missing",
    )


def test_an_empty_file_is_reported_not_crashed_on(tmp_path: Path) -> None:
    directory = content_with(tmp_path)
    (directory / "topics.yaml").write_text("", encoding="utf-8")

    problems, exit_code = check_content(directory, TODAY)

    assert exit_code == 1
    assert _only(problems).line == 1


def test_read_content_gives_no_content_on_errors(tmp_path: Path) -> None:
    content, problems = read_content(content_with(tmp_path, "cycle"), TODAY)

    assert content is None
    assert problems


def test_shipped_content_has_no_errors() -> None:
    content, problems = read_content(Path(__file__).resolve().parent.parent / "content", TODAY)

    assert [str(problem) for problem in problems if problem.is_error] == []
    assert content is not None


@pytest.mark.parametrize(
    ("file", "entry", "old", "new", "key", "message"),
    [
        (
            "ban_rules.yaml",
            "id: overstay_180",
            "duration_years: 5",
            "duration_years: 0",
            "grounds.overstay_180.duration_years",
            "Input should be greater than 0",
        ),
        (
            "ban_rules.yaml",
            "id: removal",
            "verified_on: 2026-11-25",
            "verified_on: 2027-01-01",
            "grounds.removal.verified_on",
            "verified_on 2027-01-01 is in the future",
        ),
        (
            "ban_rules.yaml",
            "id: removal",
            "replaced_by: [repeated_removal]",
            "replaced_by: [repeated_removals]",
            "grounds.removal.replaced_by[0]",
            "unknown ground id 'repeated_removals'",
        ),
        (
            "training.yaml",
            "id: skills_certification",
            "trades: [certification]",
            "trades: [certification, astronaut]",
            "programmes.skills_certification.trades",
            "unknown trade ids ['astronaut']",
        ),
        (
            "training.yaml",
            "programmes:",
            "- id: skills_certification",
            "- id: osh_centre_of_excellence",
            "programmes.osh_centre_of_excellence.id",
            "duplicate id 'osh_centre_of_excellence'",
        ),
        (
            "training.yaml",
            "id: skills_certification",
            "verified_on: 2026-11-25",
            "verified_on: 2027-01-01",
            "programmes.skills_certification.verified_on",
            "verified_on 2027-01-01 is in the future",
        ),
        (
            "services.yaml",
            "id: russia_emergency",
            "kind: health",
            "kind: astrology",
            "services.russia_emergency.kind",
            "unknown service kind 'astrology'",
        ),
    ],
)
def test_ban_rules_and_the_catalogue_are_checked_like_the_guide(
    tmp_path: Path, file: str, entry: str, old: str, new: str, key: str, message: str
) -> None:
    directory = content_with(tmp_path)
    line = edit_entry(directory / file, entry, old, new)

    problems, exit_code = check_content(directory, TODAY)

    assert exit_code == 1
    assert str(_only(problems)).startswith(f"{directory / file}:{line}: {key}: {message}")


# One flag per fact (issue 17): the same fact, phone or contact site flagged in one place and certain elsewhere.


def test_a_fact_flagged_in_one_file_and_certain_in_others_is_reported_where_it_is_certain(tmp_path: Path) -> None:
    directory = content_with(tmp_path)
    flagged_line = edit_entry(
        directory / "contacts.yaml", "id: ru-emergency", "    facts: [ru-112]\n", "    facts: [ru-112]\n    verified: false\n"
    )

    problems, exit_code = check_content(directory, TODAY)

    assert exit_code == 1
    # every certain mention is one line, naming the place that flags it
    assert all(f"flagged at contacts.yaml:{flagged_line} (contacts.ru-emergency.facts)" in p.message for p in problems)
    where = {(Path(problem.file).name, problem.key) for problem in problems}
    assert ("services.yaml", "services.russia_emergency.facts") in where
    assert ("topics.yaml", "topics.emergency-numbers.facts") in where
    assert ("topics.yaml", "topics.trafficking.facts") in where
    assert ("answers.yaml", "answers[4].facts") in where
    assert all("'ru-112' is shown as certain here but flagged at contacts.yaml:" in p.message for p in problems)
    assert all(problem.file != str(directory / "contacts.yaml") for problem in problems)


def test_a_phone_is_a_fact_per_country(tmp_path: Path) -> None:
    directory = content_with(tmp_path)
    edit_entry(directory / "contacts.yaml", "id: kz-emergency", "verified_on: 2026-11-20", "verified_on: 2026-11-20\n    verified: false")
    (directory / "contacts.yaml").write_text(
        (directory / "contacts.yaml").read_text(encoding="utf-8")
        + """
  - id: kz-emergency-almaty
    organisation: {ky: Алматы, ru: Алматы, en: Almaty}
    kind: emergency
    country: kz
    phones: ["112"]
    source: egov.kz
    verified_on: 2026-11-20
""",
        encoding="utf-8",
    )

    problems, _exit = check_content(directory, TODAY)

    [problem] = problems  # Kyrgyzstan's and Russia's 112 are other facts than Kazakhstan's
    assert problem.key == "contacts.kz-emergency-almaty.phones[0]"
    assert "'phone 112 in kz' is shown as certain here but flagged at contacts.yaml:" in problem.message


def test_two_contacts_with_one_site_share_its_flag(tmp_path: Path) -> None:
    directory = content_with(tmp_path)
    edit_entry(
        directory / "contacts.yaml",
        "id: kg-consulate-novosibirsk",
        "verified_on: 2026-12-01",
        "verified_on: 2026-12-01\n    verified: false",
    )

    problems, _exit = check_content(directory, TODAY)

    keys = {problem.key for problem in problems}
    assert "contacts.kg-embassy-moscow.website" in keys  # same site mfa.gov.kg
    assert "contacts.kg-embassy-moscow.facts" in keys  # and the tagged consulates fact
    assert "services.consulates_russia.facts" in keys


def test_an_entry_that_flags_a_fact_must_show_the_mark(tmp_path: Path) -> None:
    directory = content_with(tmp_path)
    line = edit_entry(directory / "topics.yaml", "id: changes-2025-26", "⚠️ Принятие проекта", "Принятие проекта")

    problem = _only(check_content(directory, TODAY)[0])

    assert (problem.line, problem.key) == (line - 1, "topics.changes-2025-26.body.ru")
    assert "need the ⚠️ mark in the text" in problem.message


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("FACTS.md §5", "the source is our own notes"),
        ("shared/domain/FACTS.md section 2", "the source is our own notes"),
        ("Public information, not yet checked against mchs.gov.ru", "a source names a page or a document"),
    ],
)
def test_a_source_is_a_page_or_a_document(tmp_path: Path, source: str, message: str) -> None:
    directory = content_with(tmp_path)
    line = edit_entry(directory / "contacts.yaml", "id: kz-emergency", "source: egov.kz", f"source: {source}")

    problem = _only(check_content(directory, TODAY)[0])

    assert (problem.line, problem.key) == (line, "contacts.kz-emergency.source")
    assert message in problem.message


def test_an_unknown_referral_kind_on_a_topic_is_an_error(tmp_path: Path) -> None:
    directory = content_with(tmp_path)
    line = edit_entry(directory / "topics.yaml", "id: reintegration", "referral: reintegration", "referral: fortune")

    problem = _only(check_content(directory, TODAY)[0])

    assert (problem.line, problem.key) == (line, "topics.reintegration.referral")
    assert "unknown service kind 'fortune'" in problem.message


@pytest.mark.parametrize(
    ("file", "entry", "old", "new", "key", "message"),
    [
        (
            "contacts.yaml",
            "id: iom-kyrgyzstan",
            "Эл аралык миграция уюму (ЭМУ) Кыргызстанда",
            "Эл аралык миграция уюму (IOM) Кыргызстанда",
            "contacts.iom-kyrgyzstan.organisation.ky",
            "'IOM' is written 'ЭМУ' (one word per term",
        ),
        (
            "topics.yaml",
            "id: unpaid-wages",
            "жумушка орноштуруу борборунун",
            "жумуш менен камсыз кылуу борборунун",
            "topics.unpaid-wages.body.ky",
            "'жумуш менен камсыз кылуу борбор' is written 'жумушка орноштуруу борбору'",
        ),
        (
            "topics.yaml",
            "id: stay-rules",
            "Посчитайте свои дни: /stay",
            "Посчитайте свои дни.",
            "topics.stay-rules.body.ru",
            "placeholders, tags or commands differ from en: missing /stay",
        ),
        (
            "topics.yaml",
            "id: first-30-days",
            "<b>Миграционная карта</b>",
            "Миграционная карта",
            "topics.first-30-days.body.ru",
            "placeholders, tags or commands differ from en: missing <b>, <b>",
        ),
        (
            "topics.yaml",
            "id: first-30-days",
            "Патент не нужен.",
            "Patent не нужен.",
            "topics.first-30-days.body.ru",
            "Latin letters in a Russian text: Patent (a name?",
        ),
        (
            "topics.yaml",
            "id: kazakhstan",
            'ru: "Казахстан: основные правила"',
            'ru: "Казахстан: основные правила для трудовых мигрантов"',
            "topics.kazakhstan.title.ru",
            "a button label of 50 characters: 30 at most fit a phone",
        ),
    ],
)
def test_each_language_rule_is_an_error_at_its_line(
    tmp_path: Path, file: str, entry: str, old: str, new: str, key: str, message: str
) -> None:
    directory = content_with(tmp_path)
    line = edit_entry(directory / file, entry, old, new)

    problem = _only(check_content(directory, TODAY)[0])

    assert (problem.file, problem.key) == (str(directory / file), key)
    assert message in problem.message
    assert 0 < problem.line <= line  # the key's line: the edit itself, or above it inside a block text


def test_names_addresses_and_commands_are_not_latin_words() -> None:
    from bot.content.lang_checks import latin_words, markup_problem

    assert latin_words("Приложение ruID, сайт migrant.kg, https://mfa.gov.kg, <code>ADMIN_IDS</code>, /ban") == []
    assert latin_words("Колдонуу: /grant USER_ID volunteer|coordinator status=new XLSX") == []
    assert latin_words("Это hello мир") == ["hello"]
    assert markup_problem("From {date}: <b>{ban}</b>", "{date} күндөн тартып: <b>{ban}</b>") is None
    assert markup_problem("From {date}", "{data} тартып") == "placeholders, tags or commands differ from en: missing {date}; extra {data}"


def test_the_catalogues_use_the_glossary_terms_and_keep_their_placeholders() -> None:
    from bot.content.lang_checks import latin_words, markup_problem
    from bot.content.terms import term_problems
    from bot.i18n import read_catalogue

    problems = []
    for locale in ("ky", "ru", "en"):
        for message in read_catalogue(locale):
            if not message.id or not message.string:
                continue
            original = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
            text = message.string[0] if isinstance(message.string, (list, tuple)) else message.string
            problems += [(locale, original, p) for p in term_problems(text, locale)]
            if locale != "en":
                if (problem := markup_problem(original, text)) is not None:
                    problems.append((locale, original, problem))
                problems += [(locale, original, word) for word in latin_words(text)]
    assert problems == []
