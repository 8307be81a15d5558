-- Opt-in reminders of the ban self-check: "check again two months before you travel" and "your estimated ban
-- ends today". Only the kind and dates are kept: the text is written at send time in the user's language.

CREATE TABLE reminders (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('check_before_travel', 'ban_end')),
    subject_date  TEXT NOT NULL,                -- ISO date the reminder is about (ban end or travel date)
    due_on        TEXT NOT NULL,                -- ISO date; sent on the first loop tick on or after it
    created_at    TEXT NOT NULL,                -- ISO 8601 UTC
    sent_at       TEXT,                         -- NULL until claimed for sending
    UNIQUE (user_id, kind, subject_date)
);
CREATE INDEX reminders_pending ON reminders (due_on) WHERE sent_at IS NULL;
