-- Recipient rows are what a broadcast needs to send, resume and report; a month after it ends they are folded
-- into per-state counts here and deleted (bot/jobs/retention.py). Otherwise the table would keep a row per
-- subscriber per broadcast forever: a million rows a day for a daily message to a million subscribers.
CREATE TABLE broadcast_summaries (
    broadcast_id  INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    state         TEXT NOT NULL,
    n             INTEGER NOT NULL,
    PRIMARY KEY (broadcast_id, state)
) WITHOUT ROWID;
