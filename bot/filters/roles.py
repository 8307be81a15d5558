"""Role filters: the role itself is worked out once per update by the user middleware."""

from aiogram.filters import Filter
from aiogram.types import TelegramObject

from bot.db.staff import COORDINATOR, VOLUNTEER


class IsCoordinator(Filter):
    async def __call__(self, event: TelegramObject, role: str | None = None) -> bool:
        return role == COORDINATOR


class IsStaff(Filter):
    """Volunteers and coordinators: the people who may send broadcasts."""

    async def __call__(self, event: TelegramObject, role: str | None = None) -> bool:
        return role in (COORDINATOR, VOLUNTEER)
