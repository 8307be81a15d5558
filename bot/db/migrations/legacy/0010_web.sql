-- The staff console: one-time login links, browser sessions, and failed logins (for the rate limit).
-- Tokens are stored only as SHA-256 hashes: a copy of the database opens no session.

CREATE TABLE web_login_tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    created_at  TEXT NOT NULL,                  -- ISO 8601 UTC
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE INDEX web_login_tokens_user ON web_login_tokens (user_id);

CREATE TABLE web_sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    csrf_token  TEXT NOT NULL,
    locale      TEXT,
    created_at  TEXT NOT NULL,
    seen_at     TEXT NOT NULL                   -- the session ends after 8 idle hours
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

CREATE TABLE web_login_failures (
    id      INTEGER PRIMARY KEY,
    client  TEXT NOT NULL,                      -- the remote address
    at      TEXT NOT NULL
);
CREATE INDEX web_login_failures_client ON web_login_failures (client, at);
