-- Talk to a person: a migrant's case, handled by staff in a forum topic of an operator group, and every
-- message passed on, linked both ways (the migrant's message and its copy in the group).

CREATE TABLE cases (
    id                INTEGER PRIMARY KEY,
    user_id           INTEGER REFERENCES users(id) ON DELETE CASCADE,  -- NULL once anonymised
    topic             TEXT NOT NULL
                      CHECK (topic IN ('ban', 'work', 'documents', 'training', 'health', 'safety', 'other')),
    locale            TEXT NOT NULL,                 -- the migrant's language when the case was opened
    region            TEXT,                          -- the migrant's region setting, if any
    source            TEXT NOT NULL,                 -- where it was opened: menu, command, ban, search, referral
    status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    urgent            INTEGER NOT NULL DEFAULT 0,
    chat_id           INTEGER NOT NULL,              -- the operator group
    thread_id         INTEGER,                       -- its forum topic; NULL until created (or after deletion)
    card_message_id   INTEGER,
    assignee_id       INTEGER,                       -- the staff member who took it
    unreachable       INTEGER NOT NULL DEFAULT 0,    -- 1 when the migrant blocked the bot
    consent_at        TEXT NOT NULL,                 -- ISO 8601 UTC, like every timestamp below
    opened_at         TEXT NOT NULL,
    first_message_at  TEXT,
    first_answer_at   TEXT,
    waiting_since     TEXT,                          -- the migrant's oldest message no staff answered yet
    closed_at         TEXT,
    rating            INTEGER CHECK (rating BETWEEN 1 AND 5)
);
-- One open case per migrant: two quick taps or two replicas cannot open two.
CREATE UNIQUE INDEX cases_one_open ON cases (user_id) WHERE status = 'open';
CREATE INDEX cases_user ON cases (user_id, id);
CREATE INDEX cases_thread ON cases (chat_id, thread_id);
CREATE INDEX cases_status ON cases (status, closed_at);

CREATE TABLE case_messages (
    id                INTEGER PRIMARY KEY,
    case_id           INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    direction         TEXT NOT NULL CHECK (direction IN ('in', 'out')),   -- in: from the migrant
    kind              TEXT NOT NULL,                 -- text, photo, document, voice, video, location, contact...
    user_message_id   INTEGER NOT NULL,              -- in: the migrant's message; out: the copy they received
    group_message_id  INTEGER,                       -- in: its copy in the group (NULL while waiting); out: the
                                                     -- staff member's message
    reply_to          INTEGER,                       -- in: the message id (migrant's chat) it replied to
    text_html         TEXT,                          -- in, text: kept to post waiting texts as one and re-render
                                                     -- edits; gone with the case
    status            TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    created_at        TEXT NOT NULL,
    sent_at           TEXT
);
CREATE INDEX case_messages_pending ON case_messages (status, case_id, id);
CREATE INDEX case_messages_user ON case_messages (case_id, user_message_id);
CREATE INDEX case_messages_group ON case_messages (case_id, group_message_id);
