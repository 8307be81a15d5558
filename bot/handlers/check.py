""" "Check my situation" (/stay and /ban are shortcuts into it): the trips once, then both answers.

The result is a timeline picture and one message: days used and until when the migrant may stay, whether a
ban is likely (clauses, dates, where each rule comes from and whether a lawyer has checked it), the official
check, and "Remind me" for each date it names.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.text_decorations import html_decoration

from bot.content.ban_rules import BanGround, BanRules, OverstayCondition, StayRule
from bot.content.common import Sourced
from bot.handlers.ban import MVD_CHECK_URL, caution_text, official_check_text
from bot.handlers.guided import Answers, Context, DialogSpec, attach, send
from bot.i18n import _, __, format_date
from bot.keyboards.ask import ask_rows
from bot.keyboards.callbacks import DocRemindCb, RemindCb, ServCb, TopicCb
from bot.keyboards.menu import menu_button
from bot.services import ban_dialog, check_dialog, stay_dialog
from bot.services.ban import BanEstimate, Finding, exit_tiers
from bot.services.dates import users_today
from bot.services.dialog import NO, YES
from bot.services.stay import Contract, StayResult, contract_cover, summary_lines, used_by_day
from bot.services.timeline import Timeline, TripBar, render

log = logging.getLogger(__name__)
quote = html_decoration.quote
router = Router(name="check")
ONE_DAY = timedelta(days=1)


class CheckStates(StatesGroup):
    asking = State()


COUNTRY_NAMES = {"russia": __("Russia"), "kazakhstan": __("Kazakhstan")}
PROMPTS = {
    "country": __(
        "<b>Check my situation</b>\nI will count the days you may stay and check whether an entry ban is "
        "likely, from your own dates. Your answers are kept only until the result.\n\nWhich country?"
    ),
    "this_year": __(
        "Were you in {country} this year, {year}? Count every trip, even a short one, and a trip that began "
        "last year."
    ),
    "year": __("Were you in {country} last year, {year}? Count every trip, even a short one."),
    "recent": __(
        "Were you in {country} in the last 180 days, since {start}? Count every trip, even a short one."
    ),
    "window": __(
        "Were you in {country} between {start} and {end}? These days still count for the trip that began "
        "on {entry}."
    ),
    "entry": __("Trip {number}: on what date did you enter {country}? For example: 05.03.2026"),
    "exit": __("On what date did you leave? If you are still there, press the button."),
    "more": __("Trips so far: {trips}.\n\nWas there another trip in that time?"),
    "old": __(
        "Before {date}: did you ever stay in {country} longer than allowed? A ban from an old trip can still "
        "run (up to 10 years)."
    ),
    "old_entry": __(
        "An older trip that went over the limit: on what date did you enter? For example: 05.03.2017"
    ),
    "old_exit": __("And on what date did you leave after that trip?"),
    "old_more": __("Trips so far: {trips}.\n\nWas there another older trip that went over the limit?"),
    "contract": __("Do you work in {country} under an employment (or civil) contract?"),
    "contract_end": __("On what date does (or did) the contract end? For example: 31.12.2026"),
    "ended_early": __(
        "Did the contract end early, before its term (for example, you quit or were dismissed)?"
    ),
    "expelled": __("Were you ever expelled (выдворение) or deported from Russia?"),
    "expelled_dates": __("Type the date of each expulsion or deportation, one date per message."),
    "readmitted": __("Were you ever handed over to Kyrgyzstan under readmission?"),
    "readmitted_dates": __("Type the date of each readmission, one date per message."),
    "migration_fines": __(
        "Were you fined in Russia for breaking migration rules (registration, period of stay, work without "
        "documents)?"
    ),
    "fine_basis": __(
        "A fine counts from the day its ruling came into force (it is written on the ruling). If you know "
        "only the day the fine was imposed, press the second button: I will add the usual 10 days for an "
        "appeal."
    ),
    "migration_dates": __("Type the date of each migration-rule fine, one date per message."),
    "other_fines": __(
        "Any other administrative fines in Russia (for example from the traffic police)? Do not count the "
        "ones you have already typed."
    ),
    "other_dates": __("Type the date of each of these other fines, one date per message."),
    "debts": __("Do you have unpaid fines, taxes or court debts in Russia?"),
    "conviction": __("Do you have a criminal conviction in Russia that is not yet spent?"),
    "medical": __(
        "At the medical examination in Russia, were you told that a dangerous infection or drug use was found?"
    ),
}
BASIS_NOTES = {
    ban_dialog.IN_FORCE: __("Type the day each ruling came into force."),
    ban_dialog.FINE_DAY: __("Type the day each fine was imposed; I will add 10 days."),
}
LABELS = {
    YES: __("Yes"),
    NO: __("No"),
    stay_dialog.STILL_THERE: __("I am still there"),
    "russia": __("🇷🇺 Russia"),
    "kazakhstan": __("🇰🇿 Kazakhstan"),
    ban_dialog.IN_FORCE: __("I know the in-force dates"),
    ban_dialog.FINE_DAY: __("Only the fine's date"),
}
PROBLEMS = {
    "exit_before_entry": __("The date of leaving is before the date of entry. Please check it."),
    "overlap": __("Trips cannot overlap. Trips so far: {trips}."),
    "not_in_period": __(
        "This trip is not in the time I asked about ({start} to {end}). Please check the date."
    ),
    "old_not_before": __("This trip must begin before {date}: later trips were asked already."),
    "open_not_last": __("Only your latest trip can still be going on. Please type the date you left."),
    "too_many_dates": __("That is enough dates. Press Done to go on."),
    "too_far_ahead": __("This date is too far ahead. Please check it."),
}
KINDS = {
    "mandatory": __("entry is refused"),
    "discretionary": __("entry may be refused (the authorities decide)"),
}


def trips_text(answers: Answers, locale: str) -> str:
    return "; ".join(
        trip_span(date.fromisoformat(entry), date.fromisoformat(exit_) if exit_ else None, locale)
        for entry, exit_ in sorted(answers.get("trips", []))
    )


def trip_span(entry: date, exit_: date | None, locale: str) -> str:
    if exit_ is None:
        return _("{entry} – still there").format(entry=format_date(entry, locale))
    return f"{format_date(entry, locale)} – {format_date(exit_, locale)}"


def prompt(step: str, answers: Answers, locale: str) -> str:
    country = str(COUNTRY_NAMES[answers["country"]]) if "country" in answers else ""
    if step == "in_period":
        kind, first, last = stay_dialog.current_period(answers)
        earliest = min((entry for entry, _exit in answers["trips"]), default=last.isoformat())
        return str(PROMPTS[kind]).format(
            country=country,
            year=first.year,
            start=format_date(first, locale),
            end=format_date(last, locale),
            entry=format_date(date.fromisoformat(earliest), locale),
        )
    values = {
        "country": country,
        "number": len(answers.get("trips", [])) + 1,
        "trips": trips_text(answers, locale),
        "date": format_date(stay_dialog.asked_from(answers), locale) if "periods" in answers else "",
    }
    text = str(PROMPTS[step]).format(**values)
    if step in ("migration_dates", "other_dates"):
        text += "\n" + str(BASIS_NOTES[answers["fine_basis"]])
    if check_dialog.QUESTIONS[step].kind == "date_list" and answers.get(step):
        dates = ", ".join(format_date(date.fromisoformat(day), locale) for day in answers[step])
        text += "\n\n" + _("Added so far: {dates}. Type the next date or press Done.").format(dates=dates)
    return text


def problem(code: str, answers: Answers, locale: str) -> str:
    values = {"trips": trips_text(answers, locale)}
    if code == "not_in_period":
        _kind, first, last = stay_dialog.current_period(answers)
        values |= {"start": format_date(first, locale), "end": format_date(last, locale)}
    if code == "old_not_before":
        values["date"] = format_date(stay_dialog.asked_from(answers), locale)
    return str(PROBLEMS[code]).format(**values)


def source_line(fact: Sourced, locale: str) -> str:
    """Where a rule comes from and when it was checked, flagged when no lawyer has confirmed it yet."""
    line = _("Source: {source}. Checked on {date}.").format(
        source=quote(fact.source_in(locale)), date=format_date(fact.verified_on, locale)
    )
    return line if fact.verified else line + " " + _("⚠️ Not yet checked by a lawyer.")


def ban_words(ground: BanGround) -> str:
    if ground.duration_unknown:
        return _("refusal of entry (for how long is not known)")
    return _("a {years}-year entry ban").format(years=ground.duration_years)


def tiers_text(rules: BanRules, country: str, last_legal: date, today: date, locale: str) -> list[str]:
    """For someone still in the country: from which day leaving means a longer ban, as dates to act on
    ("each extra day can make it longer" tells them nothing)."""
    lines = []
    for tier in exit_tiers(rules.grounds_of(country), last_legal, today):
        if not tier.grounds:
            if tier.last_exit is not None and tier.last_exit >= today and today > last_legal:
                lines.append(
                    _("Leave by {date}: no mandatory ban.").format(date=format_date(tier.last_exit, locale))
                )
            continue
        ground = tier.grounds[0]
        words = ban_words(ground)
        day = tier.first_exit if tier.first_exit > today else None
        if tier.last_exit is not None and day is None:
            lines.append(
                _("Leave by {date}: {ban}.").format(date=format_date(tier.last_exit, locale), ban=words)
            )
        elif day is not None:
            lines.append(_("From {date}: {ban}.").format(date=format_date(day, locale), ban=words))
        else:
            lines.append(_("From today: {ban}.").format(ban=words))
    return lines


def stay_text(
    stay: StayResult,
    rule: StayRule,
    rules: BanRules,
    country: str,
    contract: Contract | None,
    today: date,
    locale: str,
) -> list[str]:
    parts = [_("<b>Your stay</b>")]
    limit = rule.limit_days
    if stay.rule == "calendar_year":
        rule_line = _("Rule: {limit} days in total per calendar year.").format(limit=limit)
        period = _("in {year}").format(year=stay.window_start.year)
    else:
        rule_line = _("Rule: {limit} days in any {window} days.").format(
            limit=limit, window=rule.rolling_window_days
        )
        period = _("from {start} to today").format(start=format_date(stay.window_start, locale))
    parts.append(f"{rule_line}\n{source_line(rule, locale)}")
    last_day = format_date(stay.last_legal_day, locale)
    values = {"period": period, "used": stay.days_used, "limit": limit, "left": stay.days_left}
    for line in summary_lines(stay):
        if line == "used_left":
            parts.append(
                _("Days used {period}: <b>{used}</b> of {limit}. Days left: {left}.").format(**values)
            )
        elif line == "used":
            parts.append(_("Days used {period}: <b>{used}</b> (the limit is {limit}).").format(**values))
        elif line == "used_covered":
            parts.append(
                _(
                    "Days used {period}: <b>{used}</b>. That is more than {limit}, and your contract covers them."
                ).format(**values)
            )
        elif line == "over_now":
            text = _(
                "⚠️ Your allowed stay ended on <b>{date}</b>. Days over the limit so far: <b>{days}</b>. Leave as "
                "soon as you can or get legal help."
            ).format(date=last_day, days=stay.overstay_days)
            tiers = tiers_text(rules, country, stay.last_legal_day, today, locale)
            if tiers:
                text += (
                    "\n" + _("What leaving on each day leads to, by this table:") + "\n" + "\n".join(tiers)
                )
            parts.append(text)
            if country == "russia":  # the register of controlled persons, since 5 Feb 2025
                parts.append(
                    _(
                        "People whose stay has run out are put on the register of controlled persons: bank cards "
                        "can be blocked and moving around is restricted."
                    )
                )
        elif line == "over_last_trip":
            parts.append(
                _(
                    "⚠️ On your last trip the allowed stay ended on <b>{date}</b>. Days over the limit: <b>{days}</b>."
                ).format(date=last_day, days=stay.overstay_days)
            )
        elif line == "may_stay_until":
            text = _("You may stay until <b>{date}</b> (your last legal day).").format(date=last_day)
            tiers = tiers_text(rules, country, stay.last_legal_day, today, locale)
            if tiers:
                text += "\n" + _("If you stay longer, by this table:") + "\n" + "\n".join(tiers)
            parts.append(text)
        elif line == "within_limit":
            parts.append(_("Your trips were within the limit."))
        elif line == "earlier_overstays":
            parts += [
                _("⚠️ Trip {trip}: the allowed stay ended on {date}; days over the limit: {days}.").format(
                    trip=trip_span(t.trip.entry, t.trip.exit, locale),
                    date=format_date(t.last_legal_day, locale),
                    days=t.overstay_days,
                )
                for t in stay.overstays
                if t is not stay.latest
            ]
    parts += contract_text(stay, rule, contract, locale)
    return parts


def contract_text(stay: StayResult, rule: StayRule, contract: Contract | None, locale: str) -> list[str]:
    if rule.contract is None:
        return []
    if contract is None:
        if rule.contract.verified:
            return []
        # Kazakhstan: what is known of a contract lengthening the stay, said even without one, flagged.
        note = _(
            "With a work contract, the EAEU Treaty lets a worker stay for the contract's term, and {days} days "
            "more after an early end more than {after} days after entry. How this country applies it is not "
            "confirmed."
        ).format(days=rule.contract.grace_days, after=rule.contract.after_days)
        return [f"{note}\n{source_line(rule.contract, locale)}"]
    cover = contract_cover([t.trip for t in stay.trips], rule, contract)
    lines = []
    if stay.contract_applied:
        lines.append(
            _(
                "Your employment contract counts: as a worker from an EAEU country you may stay for the contract "
                "term, here until {date}."
            ).format(date=format_date(cover.last_day if cover else contract.end, locale))
        )
    if contract.ended_early and cover is not None:
        if cover.grace_given:
            lines.append(
                _(
                    "The contract ended early more than {after} days after your entry, so you had {days} more days "
                    "to sign a new one."
                ).format(after=rule.contract.after_days, days=rule.contract.grace_days)
            )
        else:
            lines.append(
                _(
                    "The contract ended early within {after} days of your entry, so the {days} extra days to sign a "
                    "new one do not apply: your stay is counted by the usual rule."
                ).format(after=rule.contract.after_days, days=rule.contract.grace_days)
            )
    return [*lines, source_line(rule.contract, locale)] if lines else []


def finding_text(number: int, finding: Finding, today: date, locale: str) -> str:
    ground = finding.ground
    start = format_date(finding.start, locale)
    if finding.end is None and ground.duration_unknown:
        period = _("From {start}; for how long is not known.").format(start=start)
    elif finding.end is None:
        period = _("From {start} until the cause is removed.").format(start=start)
    elif finding.active_on(today):
        period = _(
            "From {start}. Last day of the ban: <b>{end}</b>. You may enter from <b>{enter}</b>."
        ).format(
            start=start, end=format_date(finding.end, locale), enter=format_date(finding.enter_from, locale)
        )
    else:
        period = _("From {start} to {end}: this ban has already ended.").format(
            start=start, end=format_date(finding.end, locale)
        )
    return "\n".join(
        [
            f"<b>{number}. {quote(ground.title.get(locale))}</b>",
            f"{quote(ground.clause.get(locale))}: {KINDS[ground.kind]}.",
            quote(ground.explanation.get(locale)),
            period,
            source_line(ground, locale),
        ]
    )


def ban_text(
    estimate: BanEstimate, stay: StayResult | None, answers: Answers, rules: BanRules, locale: str
) -> list[str]:
    today = estimate.check_date
    parts = [_("<b>Entry ban</b>")]
    overstay_found = any(isinstance(f.ground.condition, OverstayCondition) for f in estimate.findings)
    if stay is not None and stay.overstays and not overstay_found:
        minor = rules.minor_overstay
        parts.append(f"{quote(minor.text.get(locale))}\n{source_line(minor, locale)}")
    parts += [finding_text(n, f, today, locale) for n, f in enumerate(estimate.findings, start=1)]
    if overstay_found and answers["country"] == "russia":
        parts.append(quote(rules.overstay_exceptions.get(locale)))
    if estimate.latest_end is not None and estimate.latest_end >= today:
        parts.append(
            _("<b>Last day of the longest ban: {end}. You may enter from {date}.</b>").format(
                end=format_date(estimate.latest_end, locale), date=format_date(estimate.enter_from, locale)
            )
        )
    if estimate.open_ended:
        parts.append(
            _(
                "Some grounds have no end date: they last until their cause is removed or for a time not known."
            )
        )
    if estimate.departure_assumed and not estimate.active:  # else the verdict above says it
        parts.append(_("You are still in the country: the ban dates assume you leave today."))
    if ban_dialog.fines_from_fine_day(answers):
        parts.append(
            _(
                "You knew only the days the fines were imposed: I counted each from 10 days later, when a ruling "
                "usually comes into force. The date on the ruling is more exact."
            )
        )
    return parts


def verdict_lines(
    stay: StayResult | None, estimate: BanEstimate, rules: BanRules, country: str, locale: str
) -> list[str]:
    """The answer in a few lines: the stay's key date, whether a ban is likely and until when.

    Never shorter than the truth: an overstay with no ban clause is not an all-clear, an open-ended ground
    is said, and a rule no lawyer has checked is flagged here as well as in the details.
    """
    today = estimate.check_date
    lines = []
    if stay is not None and stay.in_country and stay.overstay_days:
        lines.append(
            _("⚠️ Your allowed stay ended on <b>{date}</b>: leave as soon as you can or get legal help.").format(
                date=format_date(stay.last_legal_day, locale)
            )
        )
    elif stay is not None and stay.in_country:
        lines.append(_("🗓 You may stay until <b>{date}</b>.").format(date=format_date(stay.last_legal_day, locale)))
    elif stay is not None and stay.overstays:
        lines.append(_("⚠️ On at least one trip you stayed longer than allowed."))
    if estimate.active:
        if estimate.latest_end is not None and estimate.latest_end >= today:
            lines.append(
                _("⛔ <b>An entry ban is likely.</b> You may enter from <b>{date}</b>.").format(
                    date=format_date(estimate.enter_from, locale)
                )
            )
        if estimate.open_ended:
            lines.append(_("⛔ <b>Entry may be refused:</b> some grounds have no end date."))
        if estimate.departure_assumed:
            lines.append(_("You are still in the country: the ban dates assume you leave today."))
    elif estimate.found:
        lines.append(_("<b>By these dates, every ban has already ended.</b>"))
    elif stay is not None and stay.overstays:
        lines.append(
            _(
                "⚠️ <b>No ban clause was found, but you stayed longer than allowed:</b> entry may still be "
                "refused. Read the details."
            )
        )
    else:
        lines.append(_("<b>No ground for an entry ban was found in your answers.</b>"))
    used = [f.ground for f in estimate.findings] + [getattr(rules.stay, country)]
    if not all(fact.verified for fact in used):
        lines.append(_("⚠️ Some rules used here are not yet checked by a lawyer."))
    return lines


def result_text(
    stay: StayResult | None, estimate: BanEstimate, answers: Answers, rules: BanRules, locale: str
) -> str:
    """The verdict and the key dates first; every rule, source and date in an expandable quote below.

    The details stay in the same message (a tap opens the quote) rather than behind a button, because
    the answers are deleted when the result is shown: nothing is kept to rebuild them from later.
    """
    country = answers["country"]
    rule = getattr(rules.stay, country)
    today = estimate.check_date
    _trips, contract = stay_dialog.to_inputs(answers)
    short = [_("<b>Check my situation: {country}</b>").format(country=COUNTRY_NAMES[country])]
    short.append("\n".join(verdict_lines(stay, estimate, rules, country, locale)))
    short.append(caution_text())
    if country != "russia":
        short.append(
            _(
                "Before you travel to Kazakhstan, ask the Kyrgyz Foreign Ministry's portal {migrant_kg} or a lawyer: "
                "these rules are less well checked here than Russia's."
            ).format(migrant_kg='<a href="https://migrant.kg">migrant.kg</a>')
        )
    details = []
    if stay is None:
        details.append(_("You gave no trips, so there are no days to count."))
    else:
        details += stay_text(stay, rule, rules, country, contract, today, locale)
    details += ban_text(estimate, stay, answers, rules, locale)
    if country == "russia":
        details.append(official_check_text())
    short.append(_("<b>Details</b> (tap to open): each rule, where it comes from, and the dates."))
    return "\n\n".join(short) + "\n<blockquote expandable>" + "\n\n".join(details) + "</blockquote>"


def remind_dates(stay: StayResult | None, estimate: BanEstimate, answers: Answers) -> list[tuple[str, date]]:
    """The dates of the result a reminder can be set for, each still ahead."""
    today = estimate.check_date
    dates = []
    if stay is not None and stay.in_country and not stay.overstay_days and stay.last_legal_day > today:
        dates.append(("stay_end", stay.last_legal_day))
    _trips, contract = stay_dialog.to_inputs(answers)
    if contract is not None and contract.end > today:
        dates.append(("contract_end", contract.end))
    if estimate.enter_from is not None and estimate.enter_from > today:
        dates.append(("ban_end", estimate.enter_from))
    return dates


REMIND_LABELS = {
    "stay_end": __("⏰ Remind me: end of stay"),
    "contract_end": __("⏰ Remind me: contract end"),
    "ban_end": __("⏰ Remind me: ban end"),
}


def result_keyboard(stay: StayResult | None, estimate: BanEstimate, answers: Answers) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                text=str(REMIND_LABELS[kind]),
                callback_data=DocRemindCb(kind=kind, day=day.isoformat()).pack(),
            )
        ]
        for kind, day in remind_dates(stay, estimate, answers)
    ]
    if answers["country"] == "russia":
        if not any(kind == "ban_end" for kind, _day in remind_dates(stay, estimate, answers)):
            rows.append(
                [
                    InlineKeyboardButton(
                        text=_("⏰ Remind me before I travel"), callback_data=RemindCb().pack()
                    )
                ]
            )
        rows.append([InlineKeyboardButton(text=_("🔎 Official check"), url=MVD_CHECK_URL)])
    rows.append(
        [InlineKeyboardButton(text=_("Get legal help"), callback_data=ServCb(kind="legal_aid").pack())]
    )
    if any(finding.active_on(estimate.check_date) for finding in estimate.findings):
        # A migrant who cannot go back is who the coming-home pages are for.
        rows.append(
            [
                InlineKeyboardButton(
                    text=_("🏠 Coming home: support"), callback_data=TopicCb(id="coming-home").pack()
                )
            ]
        )
    rows.extend(ask_rows("ban"))  # a person can look at what a calculation cannot
    rows.append([menu_button()])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def timeline_of(stay: StayResult | None, estimate: BanEstimate, rule: StayRule, answers: Answers) -> Timeline:
    today = estimate.check_date
    trips = stay.trips if stay is not None else ()
    first = min([t.trip.entry for t in trips] + [today])
    used = used_by_day([t.trip for t in trips], first, today, rule, today) if trips else []
    return Timeline(
        today=today,
        trips=tuple(TripBar(t.trip.entry, t.trip.exit or today, t.last_legal_day) for t in trips),
        used=tuple(used),
        limit_days=rule.limit_days,
        last_legal_day=stay.last_legal_day if stay is not None and stay.in_country else None,
        bans=tuple((f.start, f.end) for f in estimate.findings if f.active_on(today)),
        enter_from=estimate.enter_from if estimate.enter_from and estimate.enter_from > today else None,
    )


def timeline_words(timeline: Timeline, locale: str) -> dict[str, str]:
    return {
        "title": _("Your stay and entry ban"),
        "trips": _("Trips"),
        "ban": _("Ban"),
        "used": _("Days used"),
        "limit": _("{limit}-day limit").format(limit=timeline.limit_days),
        "legal": _("Legal stay"),
        "over": _("Overstay"),
        "last_legal": _("Last legal day: {date}").format(
            date=format_date(timeline.last_legal_day, locale) if timeline.last_legal_day else ""
        ),
        "enter_from": _("You may enter from {date}").format(
            date=format_date(timeline.enter_from, locale) if timeline.enter_from else ""
        ),
        "today": _("Today"),
    }


def tick_text(day: date) -> str:
    return f"{day.month:02d}.{day.year}"


async def show_result(answers: Answers, context: Context) -> None:
    rules = context.content.ban_rules
    today = users_today()
    stay, estimate = check_dialog.evaluate(answers, rules, today)
    log.info(
        "check.done",
        extra={
            "user_id": context.chat_id,
            "trips": len(stay.trips) if stay else 0,
            "grounds": len(estimate.findings),
        },
    )
    rule = getattr(rules.stay, answers["country"])
    if stay is not None or estimate.found:
        timeline = timeline_of(stay, estimate, rule, answers)
        png = await asyncio.to_thread(render, timeline, timeline_words(timeline, context.locale), tick_text)
        caption = _(
            "Your timeline: trips (green: legal, red: over the limit), the days used against the {limit}-day "
            "line, and any ban."
        ).format(limit=rule.limit_days)
        try:
            await context.bot.send_photo(
                context.chat_id, BufferedInputFile(png, "timeline.png"), caption=caption
            )
        except TelegramBadRequest as error:  # the picture is a help, never a reason to lose the answer
            log.warning("check.timeline_rejected", extra={"user_id": context.chat_id, "error": error.message})
    await send(
        context.bot,
        context.chat_id,
        result_text(stay, estimate, answers, rules, context.locale),
        result_keyboard(stay, estimate, answers),
    )


CHECK = DialogSpec(
    name="check",
    state=CheckStates.asking,
    questions=check_dialog.QUESTIONS,
    first=check_dialog.FIRST,
    record=lambda step, value, answers: answers,  # record_in is used: it needs the day and the rules
    record_in=lambda step, value, answers, today, content: check_dialog.record(
        step, value, answers, content.ban_rules, today
    ),
    next_step=lambda step, answers, today, content: check_dialog.next_step(
        step, answers, content.ban_rules, today
    ),
    check=check_dialog.check,
    prompt=prompt,
    label=lambda choice: str(LABELS[choice]),
    problem=problem,
    finish=show_result,
    confirm_cancel=True,
)


attach(router, CHECK, command=("stay", "ban"), section=("check", "stay", "ban"))
