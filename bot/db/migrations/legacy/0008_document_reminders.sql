-- Reminders for the dates a migrant lives by (issue 18): the end of the allowed stay, a contract's end, the
-- medical certificate's, the registration's and the passport's expiry, besides the ban's end and the check
-- before travel. Each date gets several reminders (30, 7 and 1 days before), so a reminder is one
-- (kind, subject_date, due_on). The table is rebuilt (portable SQL: SQLite cannot alter a CHECK constraint).

CREATE TABLE reminders_new (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('check_before_travel', 'ban_end', 'stay_end', 'contract_end',
                                                'medical_expiry', 'registration_expiry', 'passport_expiry')),
    subject_date  TEXT NOT NULL,                -- ISO date the reminder is about (for a ban: first day of entry)
    due_on        TEXT NOT NULL,                -- ISO date; sent on the first loop tick on or after it
    created_at    TEXT NOT NULL,                -- ISO 8601 UTC
    sent_at       TEXT,                         -- NULL until claimed for sending
    UNIQUE (user_id, kind, subject_date, due_on)
);
INSERT INTO reminders_new (id, user_id, kind, subject_date, due_on, created_at, sent_at)
    SELECT id, user_id, kind, subject_date, due_on, created_at, sent_at FROM reminders;
DROP TABLE reminders;
ALTER TABLE reminders_new RENAME TO reminders;
CREATE INDEX reminders_pending ON reminders (due_on) WHERE sent_at IS NULL;
CREATE INDEX reminders_by_user ON reminders (user_id, kind, subject_date);
