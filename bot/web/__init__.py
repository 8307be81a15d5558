"""The staff console: another edge of the bot, served by its one HTTP application (see app.py)."""
