"""The training catalogue (`content/training.yaml`) and support services (`content/services.yaml`).

Regions, trades and service kinds are closed vocabularies with fixed ids: the ids travel in callback data,
in the database and in `/export region=osh`, so they must never change when a label is reworded. Their
labels live here, next to the ids, in all three languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import Field, field_validator, model_validator

from bot.content.common import ContentFile, Finding, LocalizedText, Sourced, duplicate_ids

_ID = re.compile(r"^[a-z0-9][a-z0-9_]{0,31}$")


def _label(ky: str, ru: str, en: str) -> LocalizedText:
    return LocalizedText(ky=ky, ru=ru, en=en)


REGIONS: dict[str, LocalizedText] = {
    "bishkek": _label("Бишкек шаары", "г. Бишкек", "Bishkek city"),
    "osh_city": _label("Ош шаары", "г. Ош", "Osh city"),
    "chuy": _label("Чүй облусу", "Чуйская обл.", "Chuy region"),
    "osh": _label("Ош облусу", "Ошская обл.", "Osh region"),
    "jalal_abad": _label("Жалал-Абад облусу", "Джалал-Абадская обл.", "Jalal-Abad region"),
    "batken": _label("Баткен облусу", "Баткенская обл.", "Batken region"),
    "naryn": _label("Нарын облусу", "Нарынская обл.", "Naryn region"),
    "talas": _label("Талас облусу", "Таласская обл.", "Talas region"),
    "issyk_kul": _label("Ысык-Көл облусу", "Иссык-Кульская обл.", "Issyk-Kul region"),
}

# Where migrants are, for a referral (the form's region step, its filters, exports and stats): the Kyrgyz
# regions above, then the large cities of the two countries most migrants work in, then each country for
# anywhere else in it. `russia` and `kazakhstan` are the ids /settings has always used for those countries.
ABROAD: dict[str, LocalizedText] = {
    "moscow": _label("Москва", "Москва", "Moscow"),
    "saint_petersburg": _label("Санкт-Петербург", "Санкт-Петербург", "St Petersburg"),
    "yekaterinburg": _label("Екатеринбург", "Екатеринбург", "Yekaterinburg"),
    "novosibirsk": _label("Новосибирск", "Новосибирск", "Novosibirsk"),
    "russia": _label("Россия (башка шаар)", "Россия (другой город)", "Russia (another city)"),
    "almaty": _label("Алматы", "Алматы", "Almaty"),
    "astana": _label("Астана", "Астана", "Astana"),
    "kazakhstan": _label("Казакстан (башка шаар)", "Казахстан (другой город)", "Kazakhstan (another city)"),
}
PLACE_COUNTRY: dict[str, str] = {
    **{rid: "kg" for rid in REGIONS},
    **{rid: "ru" for rid in ("moscow", "saint_petersburg", "yekaterinburg", "novosibirsk", "russia")},
    **{rid: "kz" for rid in ("almaty", "astana", "kazakhstan")},
}
PLACES: dict[str, LocalizedText] = {**REGIONS, **ABROAD}

TRADES: dict[str, LocalizedText] = {
    "construction": _label("Курулуш", "Строительство", "Construction"),
    "sewing": _label("Тигүү жана текстиль", "Швейное дело и текстиль", "Sewing and textiles"),
    "driving": _label("Айдоочулук", "Вождение", "Driving"),
    "welding": _label("Ширетүү", "Сварка", "Welding"),
    "cooking": _label("Ашпозчулук", "Кулинария", "Cooking"),
    "it": _label("IT жана компьютер", "IT и компьютер", "IT and computers"),
    "care": _label("Кам көрүү иши", "Уход за людьми", "Care work"),
    "agriculture": _label("Айыл чарба", "Сельское хозяйство", "Agriculture"),
    "crafts": _label("Кол өнөрчүлүк", "Ремёсла", "Crafts"),
    "languages": _label("Тил курстары", "Языковые курсы", "Language courses"),
    "certification": _label("Квалификацияны ырастоо", "Подтверждение квалификации", "Skills certification"),
    "various": _label("Ар кандай кесиптер", "Разные профессии", "Various trades"),
}

SERVICE_KINDS: dict[str, LocalizedText] = {
    "legal_aid": _label("Юридикалык жардам", "Юридическая помощь", "Legal aid"),
    "counter_trafficking": _label("Адам сатууга каршы", "Против торговли людьми", "Counter-trafficking"),
    "employment_abroad": _label("Чет өлкөдө иштөө", "Трудоустройство за рубежом", "Employment abroad"),
    "reintegration": _label(
        "Кайтып келүү жана гранттар", "Реинтеграция и гранты", "Reintegration and grants"
    ),
    "health": _label("Ден соолук", "Здоровье", "Health"),
    # Not help for the migrant but their offer of help: signing up goes through the same referral flow.
    "volunteer": _label("Ыктыярчы болуу", "Стать волонтёром", "Become a volunteer"),
}

TEACHING_LANGUAGES = ("ky", "ru", "en", "uz")

Cost = Literal["free", "paid", "unknown"]


def region_id(text: str) -> str | None:
    """The place id for what a coordinator typed (`Osh`, `osh-city`, `Jalal Abad`, `Moscow`, `Russia`), or
    None."""
    key = _slug(text)
    if key in PLACES:
        return key
    found = next((rid for rid, label in PLACES.items() if key in {_slug(label.en), _slug(label.ru)}), None)
    return found or {"russia_other": "russia", "kazakhstan_other": "kazakhstan"}.get(key)


def _slug(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


class Offer(Sourced):
    """What a training programme and a support service share: who offers it, where, for how much, how to reach them."""

    id: str
    title: LocalizedText
    provider: LocalizedText
    description: LocalizedText
    regions: tuple[str, ...] = ()
    city: LocalizedText | None = None
    cost: Cost = "unknown"
    cost_note: LocalizedText | None = None
    website: str | None = None  # None only for what Koldoo runs itself (volunteering): no other site to send to

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("id must be 1-32 lowercase letters, digits or _ (it goes into callback data)")
        return value

    @field_validator("regions")
    @classmethod
    def _known_regions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [rid for rid in value if rid not in REGIONS]
        if unknown:
            raise ValueError(f"unknown region ids {unknown}; known: {sorted(REGIONS)}")
        if len(set(value)) != len(value):
            raise ValueError("a region is listed twice")
        return value

    @field_validator("website")
    @classmethod
    def _official_website(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$", value):
            raise ValueError("website must be a full http(s) address")
        return value


class Programme(Offer):
    """A training programme: found by region, then trade."""

    trades: tuple[str, ...] = Field(min_length=1)
    duration: LocalizedText | None = None
    stipend: bool | None = None
    languages: tuple[str, ...] = ()
    start_dates: tuple[date, ...] = ()

    @field_validator("trades")
    @classmethod
    def _known_trades(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [trade for trade in value if trade not in TRADES]
        if unknown:
            raise ValueError(f"unknown trade ids {unknown}; known: {sorted(TRADES)}")
        return value

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [lang for lang in value if lang not in TEACHING_LANGUAGES]
        if unknown:
            raise ValueError(f"unknown teaching languages {unknown}; known: {TEACHING_LANGUAGES}")
        return value

    @model_validator(mode="after")
    def _located(self) -> Programme:
        if not self.regions:
            raise ValueError("a programme needs at least one region, or nobody can browse to it")
        return self


class Service(Offer):
    """A support service a migrant can be referred to; `regions` is empty when it works nationwide.

    `emergency: true` marks a service one calls now (112, an ambulance): its card says so and offers no
    request form, since a coordinator's call-back would come too late.
    """

    kind: str
    emergency: bool = False

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in SERVICE_KINDS:
            raise ValueError(f"unknown service kind {value!r}; known: {sorted(SERVICE_KINDS)}")
        return value


class TrainingFile(ContentFile):
    """The root of `content/training.yaml`."""

    programmes: tuple[Programme, ...] = Field(min_length=1)

    def findings(self) -> list[Finding]:
        """A repeated id, at the line of the repeat: referrals and callbacks name programmes by id."""
        return duplicate_ids("programmes", [programme.id for programme in self.programmes])

    def get(self, programme_id: str) -> Programme | None:
        return next((p for p in self.programmes if p.id == programme_id), None)

    def regions(self) -> list[str]:
        """Region ids that have at least one programme, in the fixed order of `REGIONS`."""
        used = {rid for p in self.programmes for rid in p.regions}
        return [rid for rid in REGIONS if rid in used]

    def trades(self, region: str) -> list[str]:
        """Trade ids offered in `region`, in the fixed order of `TRADES`."""
        used = {trade for p in self.programmes if region in p.regions for trade in p.trades}
        return [trade for trade in TRADES if trade in used]

    def programmes_for(self, region: str, trade: str) -> list[Programme]:
        return [p for p in self.programmes if region in p.regions and trade in p.trades]


class ServicesFile(ContentFile):
    """The root of `content/services.yaml`."""

    services: tuple[Service, ...] = Field(min_length=1)

    def findings(self) -> list[Finding]:
        """A repeated id, at the line of the repeat: referrals and callbacks name services by id."""
        return duplicate_ids("services", [service.id for service in self.services])

    def get(self, service_id: str) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)

    def kinds(self) -> list[str]:
        """Service kinds with at least one service, in the fixed order of `SERVICE_KINDS`."""
        used = {s.kind for s in self.services}
        return [kind for kind in SERVICE_KINDS if kind in used]

    def of_kind(self, kind: str) -> list[Service]:
        return [s for s in self.services if s.kind == kind]


@dataclass(frozen=True)
class Catalogue:
    """Both files together: what the training handlers browse and what a referral points at."""

    training: TrainingFile
    services: ServicesFile

    def item(self, kind: str, item_id: str) -> Programme | Service | None:
        """The programme (`kind` "training") or service a referral is about; None when it was removed."""
        return self.training.get(item_id) if kind == "training" else self.services.get(item_id)

    def titles(self, locale: str) -> dict[tuple[str, str], str]:
        """(kind, id) -> title in `locale`, for lists and exports."""
        titles = {("training", p.id): p.title.get(locale) for p in self.training.programmes}
        return titles | {("service", s.id): s.title.get(locale) for s in self.services.services}
