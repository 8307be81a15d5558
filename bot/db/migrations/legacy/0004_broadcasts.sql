-- Subscriptions (who wants broadcasts, about what, where) and broadcasts with one row per recipient.
--
-- A recipient row is the unit of crash safety: it goes pending -> sending -> sent | blocked | failed, each step
-- committed, `sending` just before the API call. A row found `sending` when the process starts again was in
-- flight at the crash: Telegram may or may not have delivered it, so it becomes `ambiguous` and is never resent
-- (a duplicate warning is worse than a missing one, and the sender is told how many there are).

CREATE TABLE subscriptions (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    subscribed  INTEGER NOT NULL DEFAULT 1,     -- 0 after /unsubscribe
    region      TEXT,                           -- a region id from bot/services/subscriptions.py; NULL = not said
    updated_at  TEXT NOT NULL
);

CREATE TABLE user_interests (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    topic    TEXT NOT NULL,                     -- an interest id from bot/services/subscriptions.py
    PRIMARY KEY (user_id, topic)
) WITHOUT ROWID;
CREATE INDEX user_interests_topic ON user_interests (topic, user_id);

-- Everyone who starts the bot is subscribed, with safety alerts on, until they say otherwise.
CREATE TRIGGER users_default_subscription AFTER INSERT ON users
BEGIN
    INSERT OR IGNORE INTO subscriptions (user_id, updated_at) VALUES (NEW.id, NEW.first_seen);
    INSERT OR IGNORE INTO user_interests (user_id, topic) VALUES (NEW.id, 'safety');
END;

INSERT OR IGNORE INTO subscriptions (user_id, updated_at) SELECT id, first_seen FROM users;
INSERT OR IGNORE INTO user_interests (user_id, topic) SELECT id, 'safety' FROM users;

CREATE TABLE broadcasts (
    id                   INTEGER PRIMARY KEY,
    sender_id            INTEGER NOT NULL,      -- a staff user id; kept when that user is forgotten
    sender_locale        TEXT NOT NULL,         -- whose version everyone without their own language gets
    audience             TEXT NOT NULL,         -- JSON of bot.db.broadcasts.Audience
    status               TEXT NOT NULL DEFAULT 'scheduled'
                         CHECK (status IN ('scheduled', 'running', 'done', 'cancelled')),
    scheduled_at         TEXT NOT NULL,         -- ISO 8601 UTC; "send now" is scheduled for the moment of confirm
    total                INTEGER,               -- recipients written when it started; NULL before
    progress_chat_id     INTEGER,               -- the sender's progress message, edited while it runs
    progress_message_id  INTEGER,
    created_at           TEXT NOT NULL,
    started_at           TEXT,
    finished_at          TEXT
);
CREATE INDEX broadcasts_status ON broadcasts (status, scheduled_at);

CREATE TABLE broadcast_versions (
    broadcast_id  INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    locale        TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('text', 'photo', 'video', 'document')),
    text          TEXT NOT NULL DEFAULT '',     -- message text, or the caption of a file
    entities      TEXT NOT NULL DEFAULT '[]',   -- JSON list of Telegram MessageEntity objects (formatting)
    file_id       TEXT,                         -- for photo, video, document
    PRIMARY KEY (broadcast_id, locale)
) WITHOUT ROWID;

CREATE TABLE broadcast_recipients (
    broadcast_id  INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    locale        TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'sending', 'sent', 'blocked', 'failed', 'ambiguous')),
    error         TEXT,                         -- Telegram's description for failed rows; never message text
    attempts      INTEGER NOT NULL DEFAULT 0,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (broadcast_id, user_id)
) WITHOUT ROWID;
-- In a WITHOUT ROWID table this index also carries user_id, so paging pending rows by user id is index-only.
CREATE INDEX broadcast_recipients_state ON broadcast_recipients (broadcast_id, state);
