"""The training catalogue and support services as a migrant browses them (`/my` is in my_requests.py).

Region, then trade, then a programme card; services by kind, then a card. Every card ends with the button
that starts a referral (`bot/handlers/referral_form.py`).
"""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.content.catalogue import REGIONS, SERVICE_KINDS, TRADES, Offer, Programme
from bot.content.loader import ContentStore
from bot.handlers import my_requests, referral_form, referrals
from bot.handlers.emergency import call_now_text, emergency_button
from bot.handlers.regions import region_label
from bot.i18n import _, format_date
from bot.keyboards.ask import ask_rows
from bot.keyboards.callbacks import ApplyCb, MenuCb, ProgCb, ServCb, ServItemCb, TrainCb
from bot.keyboards.menu import nav_row
from bot.replies import answer, edit_or_send

router = Router(name="training")
router.include_routers(referral_form.router, referrals.router, my_requests.router)


def _home() -> tuple[str, InlineKeyboardMarkup]:
    text = _(
        "<b>Training and help</b>\n\n"
        "Find a free or low-cost training programme near your home, or ask a support service for help. "
        "A coordinator will contact you."
    )
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🎓 Training programmes"), callback_data=TrainCb())
    builder.button(text=_("🤝 Support services"), callback_data=ServCb())
    builder.adjust(1)
    builder.row(*nav_row())
    return text, builder.as_markup()


@router.message(Command("training"))
async def training_command(message: Message) -> None:
    await answer(message, *_home())


@router.callback_query(MenuCb.filter(F.section == "training"))
async def training_menu(callback: CallbackQuery) -> None:
    await edit_or_send(callback, *_home())


@router.callback_query(TrainCb.filter())
async def browse_training(
    callback: CallbackQuery, callback_data: TrainCb, content: ContentStore, locale: str
) -> None:
    training = content.current.catalogue.training
    builder = InlineKeyboardBuilder()
    if not callback_data.region:
        text = _("Where do you want to study? Choose a region:")
        for region in training.regions():
            builder.button(text=REGIONS[region].get(locale), callback_data=TrainCb(region=region))
        back = MenuCb(section="training")
    elif not callback_data.trade:
        region = callback_data.region
        text = _("{region}: choose a trade.").format(region=html.quote(region_label(region, locale)))
        for trade in training.trades(region):
            builder.button(text=TRADES[trade].get(locale), callback_data=TrainCb(region=region, trade=trade))
        back = TrainCb()
    else:
        region, trade = callback_data.region, callback_data.trade
        text = _("{region}, {trade}: choose a programme.").format(
            region=html.quote(region_label(region, locale)),
            trade=html.quote(TRADES[trade].get(locale) if trade in TRADES else ""),
        )
        for programme in training.programmes_for(region, trade):
            builder.button(
                text=programme.title.get(locale),
                callback_data=ProgCb(id=programme.id, region=region, trade=trade),
            )
        back = TrainCb(region=region)
    builder.adjust(1)
    builder.row(*nav_row(back))
    await edit_or_send(callback, text, builder.as_markup())


@router.callback_query(ProgCb.filter())
async def programme_card(
    callback: CallbackQuery, callback_data: ProgCb, content: ContentStore, locale: str
) -> None:
    programme = content.current.catalogue.training.get(callback_data.id)
    back = TrainCb(region=callback_data.region, trade=callback_data.trade)
    if programme is None:
        await edit_or_send(callback, _("This programme is no longer in the catalogue."), _keyboard([], back))
        return
    apply = InlineKeyboardButton(
        text=_("Apply"), callback_data=ApplyCb(kind="training", id=programme.id).pack()
    )
    await edit_or_send(callback, offer_card(programme, locale), _keyboard([apply], back))


@router.callback_query(ServCb.filter())
async def browse_services(
    callback: CallbackQuery, callback_data: ServCb, content: ContentStore, locale: str
) -> None:
    services = content.current.catalogue.services
    builder = InlineKeyboardBuilder()
    if not callback_data.kind:
        text = _("What kind of help do you need?")
        for kind in services.kinds():
            builder.button(text=SERVICE_KINDS[kind].get(locale), callback_data=ServCb(kind=kind))
        back = MenuCb(section="training")
    else:
        label = SERVICE_KINDS.get(callback_data.kind)
        text = _("{kind}: choose a service.").format(kind=html.quote(label.get(locale) if label else ""))
        for service in services.of_kind(callback_data.kind):
            builder.button(text=service.title.get(locale), callback_data=ServItemCb(id=service.id))
        back = ServCb()
    builder.adjust(1)
    builder.row(*nav_row(back))
    await edit_or_send(callback, text, builder.as_markup())


@router.callback_query(ServItemCb.filter())
async def service_card(
    callback: CallbackQuery, callback_data: ServItemCb, content: ContentStore, locale: str
) -> None:
    service = content.current.catalogue.services.get(callback_data.id)
    if service is None:
        await edit_or_send(
            callback, _("This service is no longer in the catalogue."), _keyboard([], ServCb())
        )
        return
    if service.emergency:  # call now, not a form a coordinator answers tomorrow
        text = offer_card(service, locale) + "\n\n" + call_now_text()
        rows = [[emergency_button()], nav_row(ServCb(kind=service.kind))]
        await edit_or_send(callback, text, InlineKeyboardMarkup(inline_keyboard=rows))
        return
    label = _("✍️ Sign up") if service.kind == "volunteer" else _("Ask for help")
    ask = InlineKeyboardButton(text=label, callback_data=ApplyCb(kind="service", id=service.id).pack())
    await edit_or_send(callback, offer_card(service, locale), _keyboard([ask], ServCb(kind=service.kind)))


def _keyboard(first: list[InlineKeyboardButton], back: CallbackData) -> InlineKeyboardMarkup:
    """A card's buttons; a card with an offer also offers a person to ask about it."""
    rows = [first, *ask_rows("referral")] if first else []
    return InlineKeyboardMarkup(inline_keyboard=[*rows, nav_row(back)])


def offer_card(offer: Offer, locale: str) -> str:
    """A programme or service as a migrant reads it: what, who, where, cost, how to reach, and its source."""
    lines = [f"<b>{html.quote(offer.title.get(locale))}</b>"]
    if not offer.verified:
        lines.append(_("⚠️ Not verified: check with the provider before you rely on it."))
    lines += [
        "",
        html.quote(offer.description.get(locale)),
        "",
        _("<b>Who:</b> {provider}").format(provider=html.quote(offer.provider.get(locale))),
    ]
    if offer.regions:
        where = ", ".join(region_label(region, locale) for region in offer.regions)
        if offer.city:
            where = f"{offer.city.get(locale)} ({where})"
        lines.append(_("<b>Where:</b> {where}").format(where=html.quote(where)))
    if isinstance(offer, Programme):
        lines += _programme_lines(offer, locale)
    cost = {"free": _("free"), "paid": _("paid"), "unknown": _("ask the provider")}[offer.cost]
    if offer.cost_note:
        cost = f"{cost} ({offer.cost_note.get(locale)})"
    lines.append(_("<b>Cost:</b> {cost}").format(cost=html.quote(cost)))
    if offer.website:
        lines.append(_("<b>Website:</b> {url}").format(url=html.quote(offer.website)))
    lines += [
        "",
        _("<i>Source: {source}; checked {date}.</i>").format(
            source=html.quote(offer.source_in(locale)), date=format_date(offer.verified_on, locale)
        ),
    ]
    return "\n".join(lines)


def _programme_lines(programme: Programme, locale: str) -> list[str]:
    lines = [
        _("<b>Trades:</b> {trades}").format(
            trades=html.quote(", ".join(TRADES[trade].get(locale) for trade in programme.trades))
        )
    ]
    if programme.duration:
        lines.append(
            _("<b>Duration:</b> {duration}").format(duration=html.quote(programme.duration.get(locale)))
        )
    if programme.stipend is not None:
        lines.append(_("<b>Stipend:</b> {answer}").format(answer=_("yes") if programme.stipend else _("no")))
    if programme.languages:
        lines.append(
            _("<b>Teaching languages:</b> {languages}").format(languages=", ".join(programme.languages))
        )
    if programme.start_dates:
        dates = ", ".join(format_date(day, locale) for day in programme.start_dates)
        lines.append(_("<b>Starts:</b> {dates}").format(dates=dates))
    return lines
