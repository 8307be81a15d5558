-- Statuses that fit the request (issue 14): services are passed to the organisation and resolved, a migrant
-- may withdraw, and a decline keeps its reason. SQLite cannot alter a CHECK constraint, so the referrals
-- table is rebuilt with the CHECK widened (every old value stays valid) and a decline_reason column.
--
-- Dropping `referrals` while foreign keys are on would cascade-delete every referral_events row, and
-- renaming it would rewrite the events' reference: so both tables are copied aside, dropped children first,
-- recreated under their own names and filled again, ids kept. Portable SQL (CREATE TABLE ... AS SELECT).
-- Usernames (for `/grant @username`) are personal data: /forget deletes the row that holds them.

CREATE TABLE referral_events_keep AS SELECT * FROM referral_events;
CREATE TABLE referrals_keep AS SELECT * FROM referrals;
DROP TABLE referral_events;
DROP TABLE referrals;

CREATE TABLE referrals (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER REFERENCES users(id) ON DELETE SET NULL,   -- NULL once the migrant used /forget
    kind           TEXT NOT NULL CHECK (kind IN ('training', 'service')),
    item_id        TEXT NOT NULL,                                     -- programme or service id in content/
    name           TEXT,                                              -- personal data: NULL after /forget
    phone          TEXT,                                              -- E.164; NULL after /forget
    region         TEXT NOT NULL,                                     -- region id (bot/content/catalogue.py)
    city           TEXT,
    comment        TEXT,                                              -- NULL when skipped or after /forget
    status         TEXT NOT NULL DEFAULT 'new'
                   CHECK (status IN ('new', 'contacted', 'enrolled', 'completed', 'passed', 'resolved',
                                     'declined', 'withdrawn')),
    created_at     TEXT NOT NULL,                                     -- ISO 8601 UTC
    updated_at     TEXT NOT NULL,
    decline_reason TEXT                                               -- a code (services/referrals.py)
);
INSERT INTO referrals (id, user_id, kind, item_id, name, phone, region, city, comment, status, created_at,
                       updated_at, decline_reason)
SELECT id, user_id, kind, item_id, name, phone, region, city, comment, status, created_at, updated_at, NULL
  FROM referrals_keep;
CREATE INDEX referrals_created ON referrals (created_at);
CREATE INDEX referrals_status ON referrals (status, created_at);
CREATE INDEX referrals_region ON referrals (region, created_at);
CREATE INDEX referrals_item ON referrals (item_id, created_at);
CREATE INDEX referrals_user ON referrals (user_id, item_id, created_at);

CREATE TABLE referral_events (
    id           INTEGER PRIMARY KEY,
    referral_id  INTEGER NOT NULL REFERENCES referrals(id) ON DELETE CASCADE,
    actor_id     INTEGER NOT NULL,                                 -- staff user id, or the migrant's own
    at           TEXT NOT NULL,
    from_status  TEXT,                                             -- both NULL for a note
    to_status    TEXT,
    note         TEXT                                              -- may name the migrant: NULL after /forget
);
INSERT INTO referral_events (id, referral_id, actor_id, at, from_status, to_status, note)
SELECT id, referral_id, actor_id, at, from_status, to_status, note FROM referral_events_keep;
CREATE INDEX referral_events_referral ON referral_events (referral_id, id);

DROP TABLE referral_events_keep;
DROP TABLE referrals_keep;

ALTER TABLE users ADD COLUMN username TEXT;   -- Telegram @username, lower case, without "@"
CREATE INDEX users_username ON users (username);
