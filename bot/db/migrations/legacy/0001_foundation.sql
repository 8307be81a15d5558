-- Users, dialogue state, staff roles and the audit log: what every feature stands on.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,          -- Telegram user id
    locale        TEXT,                         -- chosen language (ky, ru, en); NULL until chosen
    first_seen    TEXT NOT NULL,                -- ISO 8601 UTC
    last_seen     TEXT NOT NULL,
    blocked       INTEGER NOT NULL DEFAULT 0,   -- 1 when Telegram said the user blocked the bot
    privacy_seen_at   TEXT,                     -- when the user last opened /privacy
    data_consent_at   TEXT                      -- when the user consented to personal data being kept
);

CREATE TABLE fsm_state (
    key                     TEXT PRIMARY KEY,   -- JSON of the full aiogram StorageKey
    bot_id                  INTEGER NOT NULL,
    chat_id                 INTEGER NOT NULL,
    user_id                 INTEGER NOT NULL,
    thread_id               INTEGER,
    business_connection_id  TEXT,
    destiny                 TEXT NOT NULL,
    state                   TEXT,
    data                    TEXT NOT NULL DEFAULT '{}',
    updated_at              TEXT NOT NULL
);
CREATE INDEX fsm_state_user ON fsm_state (user_id);

CREATE TABLE staff (
    user_id     INTEGER PRIMARY KEY,
    role        TEXT NOT NULL CHECK (role IN ('volunteer', 'coordinator')),
    granted_by  INTEGER,
    granted_at  TEXT NOT NULL
);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    actor_id  INTEGER NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT,
    details   TEXT,                              -- JSON, never personal data
    at        TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
