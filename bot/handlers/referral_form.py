"""The referral dialogue: consent, name, phone, region, city, comment, summary, and the saved request.

The state lives in SQLite (the dispatcher's storage), so a migrant who loses signal halfway through finds
the same question waiting after a restart. Each answer is checked by `bot/services/` rules; a wrong one gets
a clear message and the same question again.
"""

from __future__ import annotations

import logging
import re

from aiogram import F, Router, html
from aiogram.enums import ChatType
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.config import Settings
from bot.content.catalogue import PLACES, Catalogue
from bot.content.loader import ContentStore
from bot.db.clock import utcnow
from bot.db.connection import Database
from bot.db.referrals import create_referral, find_recent
from bot.handlers.emergency import call_now_text, emergency_button
from bot.handlers.privacy_texts import data_kind_bullets
from bot.handlers.questions import asks_again
from bot.handlers.referral_texts import details_lines, status_label
from bot.handlers.referrals import announcements
from bot.handlers.regions import place_options, region_label
from bot.handlers.start import show_menu
from bot.i18n import _, format_date
from bot.jobs.outbox import Outbox
from bot.keyboards.callbacks import ApplyCb, FormCb, ServCb, TrainCb
from bot.keyboards.menu import main_menu_keyboard, menu_button, menu_only_keyboard
from bot.replies import answer, edit_or_send
from bot.services.personal_data import REFERRAL_KINDS
from bot.services.phone import normalise_phone
from bot.services.referrals import (
    COMMENT_MAX,
    Kind,
    Referral,
    clean_city,
    clean_comment,
    clean_name,
    only_invisible,
)

log = logging.getLogger(__name__)
router = Router(name="referral_form")

FIELDS = ("name", "phone", "region", "city", "comment")


class ReferralForm(StatesGroup):
    consent = State()
    name = State()
    phone = State()
    region = State()
    city = State()
    comment = State()
    summary = State()


# -- texts and keyboards -------------------------------------------------------------------------------------
def _question(field: str) -> str:
    return {
        "name": _("What is your name? Please write your first name and surname."),
        "phone": _(
            "Your phone number, so the coordinator can call you. Press <b>Share my number</b> below, or type "
            "it, for example <code>0555 123 456</code> or <code>+7 912 345 67 89</code>."
        ),
        "region": _(
            "Which region or city are you in now, or will be in? Places in Russia and Kazakhstan are here too."
        ),
        "city": _("Your city or village?"),
        "comment": _(
            "Anything the coordinator should know? For example, when it is best to call. Up to {limit} "
            "characters, or press Skip."
        ).format(limit=COMMENT_MAX),
    }[field]


def _buttons(*pairs: tuple[str, FormCb], columns: int = 1) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for text, data in pairs:
        builder.button(text=text, callback_data=data)
    builder.adjust(columns)
    return builder.as_markup()


def _cancel() -> tuple[str, FormCb]:
    return _("Cancel"), FormCb(action="cancel")


def _phone_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=_("Share my number"), request_contact=True)],
            [KeyboardButton(text=_("Cancel"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def _markup(field: str, locale: str) -> InlineKeyboardMarkup | ReplyKeyboardMarkup:
    if field == "phone":
        return _phone_keyboard()
    if field == "region":
        return _buttons(*place_buttons(locale), _cancel(), columns=2)
    if field == "comment":
        return _buttons((_("Skip"), FormCb(action="skip")), _cancel())
    return _buttons(_cancel())


def place_buttons(locale: str) -> list[tuple[str, FormCb]]:
    return [(label, FormCb(action="region", value=rid)) for label, rid in place_options(locale)]


def _summary(data: dict, title: str, locale: str) -> str:
    return "\n".join(
        [
            _("<b>Please check your request</b>"),
            html.quote(title),
            "",
            *details_lines(
                name=data["name"],
                phone=data["phone"],
                region=data["region"],
                city=data["city"],
                comment=data.get("comment"),
                locale=locale,
            ),
        ]
    )


def _summary_keyboard() -> InlineKeyboardMarkup:
    return _buttons(
        (_("Confirm"), FormCb(action="confirm")), (_("Edit"), FormCb(action="edit")), _cancel(), columns=3
    )


def _existing_text(referral: Referral, title: str, locale: str) -> str:
    return _(
        "You already asked for this on {date}. Your request <b>{reference}</b> ({title}) is: {status}.\n"
        "A coordinator will contact you. See all your requests: /my"
    ).format(
        date=format_date(referral.created_at.date(), locale),
        reference=referral.reference,
        title=html.quote(title),
        status=status_label(referral.status),
    )


def _back_to_catalogue(kind: Kind) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if kind is Kind.TRAINING:
        builder.button(text=_("🎓 Training programmes"), callback_data=TrainCb())
    else:
        builder.button(text=_("🤝 Support services"), callback_data=ServCb())
    builder.row(menu_button())
    return builder.as_markup()


def _title(catalogue: Catalogue, kind: str, item_id: str, locale: str) -> str:
    item = catalogue.item(kind, item_id)
    return item.title.get(locale) if item else item_id


# -- steps -----------------------------------------------------------------------------------------------
async def _ask(message: Message, state: FSMContext, field: str, locale: str, note: str = "") -> None:
    await state.set_state(getattr(ReferralForm, field))
    text = _question(field)
    await answer(message, f"{note}\n\n{text}" if note else text, _markup(field, locale))


@asks_again(*(getattr(ReferralForm, field) for field in FIELDS))
async def _ask_again(message: Message, state: FSMContext, note: str, *, locale: str, **_data: object) -> None:
    field = (await state.get_state() or "").partition(":")[2]
    await _ask(message, state, field, locale, note)


async def _next(message: Message, state: FSMContext, field: str, content: ContentStore, locale: str) -> None:
    """After `field` was answered: back to the summary when editing, else on to the next question."""
    data = await state.get_data()
    following = FIELDS[FIELDS.index(field) + 1] if field != FIELDS[-1] else None
    if data.get("editing") or following is None:
        await state.set_state(ReferralForm.summary)
        title = _title(content.current.catalogue, data["kind"], data["item"], locale)
        await answer(message, _summary(data, title, locale), _summary_keyboard())
    else:
        await _ask(message, state, following, locale)


APPLY_DEEP_LINK = re.compile(r"ap-(training|service)-([a-z0-9_]{1,32})")


async def _consent_screen(
    user_id: int, kind: Kind, item_id: str, state: FSMContext, db: Database, content: ContentStore, locale: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The screen that starts a referral: consent, or why it cannot start (gone, already asked)."""
    item = content.current.catalogue.item(kind, item_id)
    if item is None:
        return _("This item is no longer in the catalogue."), menu_only_keyboard()
    if getattr(item, "emergency", False):  # an old button or a forged one: no form for 112
        return call_now_text(), InlineKeyboardMarkup(inline_keyboard=[[emergency_button()], [menu_button()]])
    existing = await find_recent(db, user_id, kind, item.id)
    if existing is not None:
        return _existing_text(existing, item.title.get(locale), locale), menu_only_keyboard()
    await state.set_state(ReferralForm.consent)
    await state.set_data({"kind": kind.value, "item": item.id})
    text = "\n".join(
        [
            _("<b>Before you apply</b>"),
            html.quote(item.title.get(locale)),
            "",
            _("<b>What we keep:</b>"),
            data_kind_bullets(REFERRAL_KINDS),
            _(
                "<b>Why:</b> so a coordinator can contact you about this request.\n"
                "<b>Who sees it:</b> only Koldoo coordinators.\n"
                "<b>How to delete it:</b> send /forget at any time; your details are erased and only an anonymous "
                "count remains."
            ),
            "",
            _("Do you agree?"),
        ]
    )
    return text, _buttons((_("Agree"), FormCb(action="agree")), _cancel(), columns=2)


@router.callback_query(ApplyCb.filter(F.kind.in_({k.value for k in Kind})))
async def apply(
    callback: CallbackQuery,
    callback_data: ApplyCb,
    state: FSMContext,
    db: Database,
    content: ContentStore,
    locale: str,
) -> None:
    screen = await _consent_screen(
        callback.from_user.id, Kind(callback_data.kind), callback_data.id, state, db, content, locale
    )
    await edit_or_send(callback, *screen)


@router.message(CommandStart(deep_link=True, magic=F.args.regexp(APPLY_DEEP_LINK)), F.chat.type == ChatType.PRIVATE)
async def apply_deep_link(
    message: Message, command: CommandObject, state: FSMContext, db: Database, content: ContentStore, locale: str
) -> None:
    """`/start ap-KIND-ID`: the private chat a group sent the migrant to, at the form they wanted."""
    kind, item_id = APPLY_DEEP_LINK.fullmatch(command.args).groups()
    await answer(message, *await _consent_screen(message.from_user.id, Kind(kind), item_id, state, db, content, locale))


@router.callback_query(ReferralForm.consent, FormCb.filter(F.action == "agree"))
async def agree(callback: CallbackQuery, state: FSMContext, db: Database, locale: str) -> None:
    await db.execute("UPDATE users SET data_consent_at = ? WHERE id = ?", (utcnow(), callback.from_user.id))
    await state.set_state(ReferralForm.name)
    await edit_or_send(callback, _question("name"), _markup("name", locale))


@router.callback_query(ReferralForm(), FormCb.filter(F.action == "cancel"))
async def cancel_button(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await edit_or_send(callback, _("Cancelled. Nothing was saved."), main_menu_keyboard())


@router.message(ReferralForm.phone, F.text.func(lambda text: text == _("Cancel")))
async def cancel_phone(message: Message, state: FSMContext) -> None:
    await state.clear()
    await answer(message, _("Cancelled. Nothing was saved."), ReplyKeyboardRemove())
    await show_menu(message)


@router.message(ReferralForm.name, F.text)
async def got_name(message: Message, state: FSMContext, content: ContentStore, locale: str) -> None:
    name = clean_name(message.text)
    if name is None:
        if only_invisible(message.text):
            await answer(
                message,
                _(
                    "Your message shows nothing: it has only invisible characters. Please write your name "
                    "with letters, for example: Aigul Toktogulova."
                ),
            )
        else:
            await answer(message, _("Please write your name with letters, for example: Aigul Toktogulova."))
        await _ask(message, state, "name", locale)
        return
    await state.update_data(name=name)
    await _next(message, state, "name", content, locale)


@router.message(ReferralForm.phone, F.contact)
async def got_contact(message: Message, state: FSMContext, content: ContentStore, locale: str) -> None:
    if message.contact.user_id != message.from_user.id:
        await answer(message, _("Please share your own number, not someone else's contact."))
        await _ask(message, state, "phone", locale)
        return
    await _save_phone(message, state, normalise_phone(message.contact.phone_number), content, locale)


@router.message(ReferralForm.phone, F.text)
async def got_phone(message: Message, state: FSMContext, content: ContentStore, locale: str) -> None:
    await _save_phone(message, state, normalise_phone(message.text), content, locale)


async def _save_phone(
    message: Message, state: FSMContext, phone: str | None, content: ContentStore, locale: str
) -> None:
    if phone is None:
        await answer(
            message,
            _(
                "This does not look like a phone number. Please check it: a Kyrgyz number has 9 digits after +996."
            ),
        )
        await _ask(message, state, "phone", locale)
        return
    await state.update_data(phone=phone)
    await answer(message, _("Thank you, your number is {phone}.").format(phone=phone), ReplyKeyboardRemove())
    await _next(message, state, "phone", content, locale)


@router.callback_query(ReferralForm.region, FormCb.filter((F.action == "region") & F.value.in_(PLACES)))
async def got_region(
    callback: CallbackQuery, callback_data: FormCb, state: FSMContext, content: ContentStore, locale: str
) -> None:
    await state.update_data(region=callback_data.value)
    await edit_or_send(
        callback, _("Region: {region}").format(region=region_label(callback_data.value, locale))
    )
    await _next(callback.message, state, "region", content, locale)


@router.message(ReferralForm.region)
async def region_typed(message: Message, state: FSMContext, locale: str) -> None:
    await answer(message, _("Please choose your region with the buttons."))
    await _ask(message, state, "region", locale)


@router.message(ReferralForm.city, F.text)
async def got_city(message: Message, state: FSMContext, content: ContentStore, locale: str) -> None:
    city = clean_city(message.text)
    if city is None:
        await answer(message, _("Please write the name of your city or village with letters."))
        await _ask(message, state, "city", locale)
        return
    await state.update_data(city=city)
    await _next(message, state, "city", content, locale)


@router.message(ReferralForm.comment, F.text)
async def got_comment(message: Message, state: FSMContext, content: ContentStore, locale: str) -> None:
    comment = clean_comment(message.text)
    if comment is None:
        await answer(
            message,
            _("Your comment is {length} characters long; please keep it under {limit}.").format(
                length=len(message.text), limit=COMMENT_MAX
            ),
        )
        await _ask(message, state, "comment", locale)
        return
    await state.update_data(comment=comment or None)
    await _next(message, state, "comment", content, locale)


@router.callback_query(ReferralForm.comment, FormCb.filter(F.action == "skip"))
async def skip_comment(
    callback: CallbackQuery, state: FSMContext, content: ContentStore, locale: str
) -> None:
    await state.update_data(comment=None)
    await edit_or_send(callback, _("No comment."))
    await _next(callback.message, state, "comment", content, locale)


@router.callback_query(ReferralForm.summary, FormCb.filter(F.action == "edit"))
async def edit(callback: CallbackQuery) -> None:
    labels = {
        "name": _("Name"),
        "phone": _("Phone"),
        "region": _("Region"),
        "city": _("City or village"),
        "comment": _("Comment"),
    }
    fields = [(labels[field], FormCb(action="field", value=field)) for field in FIELDS]
    await edit_or_send(callback, _("What do you want to change?"), _buttons(*fields, _cancel(), columns=2))


@router.callback_query(ReferralForm.summary, FormCb.filter((F.action == "field") & F.value.in_(FIELDS)))
async def edit_field(callback: CallbackQuery, callback_data: FormCb, state: FSMContext, locale: str) -> None:
    await state.update_data(editing=True)
    await state.set_state(getattr(ReferralForm, callback_data.value))
    if callback_data.value == "phone":  # a reply keyboard cannot replace an inline one in place
        await edit_or_send(callback, _("Changing your phone number."))
        await answer(callback.message, _question("phone"), _phone_keyboard())
    else:
        await edit_or_send(callback, _question(callback_data.value), _markup(callback_data.value, locale))


@router.callback_query(ReferralForm.summary, FormCb.filter(F.action == "confirm"))
async def confirm(
    callback: CallbackQuery,
    state: FSMContext,
    db: Database,
    settings: Settings,
    content: ContentStore,
    outbox: Outbox,
    locale: str,
) -> None:
    catalogue = content.current.catalogue
    data = await state.get_data()
    if catalogue.item(Kind(data["kind"]), data["item"]) is None:  # /reload removed it meanwhile
        await state.clear()
        log.info("referral.item_gone", extra={"user_id": callback.from_user.id})
        await edit_or_send(
            callback,
            _(
                "Sorry, this programme was removed from the catalogue while you were filling in the form, so "
                "the request was not sent. Nothing was saved. Please choose another one."
            ),
            _back_to_catalogue(Kind(data["kind"])),
        )
        return
    referral, created = await create_referral(
        db,
        user_id=callback.from_user.id,
        kind=Kind(data["kind"]),
        item_id=data["item"],
        name=data["name"],
        phone=data["phone"],
        region=data["region"],
        city=data["city"],
        comment=data.get("comment"),
        notices=await announcements(db, settings),
    )
    outbox.wake()
    await state.clear()
    title = _title(catalogue, referral.kind, referral.item_id, locale)
    if not created:
        await edit_or_send(callback, _existing_text(referral, title, locale), menu_only_keyboard())
        return
    log.info("referral.created", extra={"referral_id": referral.id, "user_id": callback.from_user.id})
    text = _(
        "Thank you! Your request is saved.\n\nReference number: <b>{reference}</b>\n{title}\n\n"
        "A coordinator will contact you. You will get a message here when its status changes. See all your "
        "requests: /my"
    ).format(reference=referral.reference, title=html.quote(title))
    await edit_or_send(callback, text, menu_only_keyboard())
