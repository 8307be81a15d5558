-- The language of the user's Telegram app, when Koldoo speaks it (ky, ru or en): the bot answers in it until
-- the user chooses one (users.locale), so broadcasts, reminders and status messages use it too.
ALTER TABLE users ADD COLUMN telegram_locale TEXT;
