-- Talk to a person: when a closed case was opened again (the migrant wrote within 7 days of the close),
-- so its card and the console say it was reopened.
ALTER TABLE cases ADD COLUMN reopened_at TEXT;
