from bot.db.connection import Database

__all__ = ["Database"]
