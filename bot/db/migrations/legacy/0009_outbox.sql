-- The outbox: messages the bot owes someone because something changed (a new referral for the coordinators,
-- a status change for the migrant, a due reminder). A row is written in the SAME transaction as the change
-- that causes it, so a committed change always has its message on the way, whatever happens next (a crash,
-- Telegram down). A background loop delivers rows as broadcast rows are: pending -> sending -> sent | failed,
-- each step committed, `sending` just before the API call. A row still `sending` at start-up, or whose answer
-- was lost to a timeout, may have been delivered: it becomes `ambiguous` and is never sent again.
-- Rows hold ids and codes only (never names, phones or texts): the text is written at send time.
-- (Numbered 0007 on this branch; TEAM.md assigns 0008: renumbered to the next free number at merge.)

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,                  -- what to say: a renderer in bot/jobs/outbox.py
    chat_id     INTEGER NOT NULL,               -- where to say it
    locale      TEXT,                           -- in which language; NULL: the recipient's at send time
    subject_id  INTEGER NOT NULL,               -- the referral or reminder it is about
    payload     TEXT NOT NULL DEFAULT '{}',     -- JSON of ids and codes the text needs (e.g. the new status)
    state       TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'ambiguous')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    error       TEXT,                           -- Telegram's description of the last failure; never message text
    not_before  TEXT NOT NULL,                  -- ISO 8601 UTC: a row retried after a passing failure waits
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox (state, not_before);
