-- Referrals: a migrant's request for a training programme or a support service, and its follow-up.

CREATE TABLE referrals (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,   -- NULL once the migrant used /forget
    kind        TEXT NOT NULL CHECK (kind IN ('training', 'service')),
    item_id     TEXT NOT NULL,                                     -- programme or service id in content/
    name        TEXT,                                              -- personal data: NULL after /forget
    phone       TEXT,                                              -- E.164; NULL after /forget
    region      TEXT NOT NULL,                                     -- region id (bot/content/catalogue.py)
    city        TEXT,
    comment     TEXT,                                              -- NULL when skipped or after /forget
    status      TEXT NOT NULL DEFAULT 'new'
                CHECK (status IN ('new', 'contacted', 'enrolled', 'completed', 'declined')),
    created_at  TEXT NOT NULL,                                     -- ISO 8601 UTC
    updated_at  TEXT NOT NULL
);
CREATE INDEX referrals_created ON referrals (created_at);
CREATE INDEX referrals_status ON referrals (status, created_at);
CREATE INDEX referrals_region ON referrals (region, created_at);
CREATE INDEX referrals_item ON referrals (item_id, created_at);
CREATE INDEX referrals_user ON referrals (user_id, item_id, created_at);

-- Every status change and note: who (staff user id) and when.
CREATE TABLE referral_events (
    id           INTEGER PRIMARY KEY,
    referral_id  INTEGER NOT NULL REFERENCES referrals(id) ON DELETE CASCADE,
    actor_id     INTEGER NOT NULL,
    at           TEXT NOT NULL,
    from_status  TEXT,                                             -- both NULL for a note
    to_status    TEXT,
    note         TEXT                                              -- may name the migrant: NULL after /forget
);
CREATE INDEX referral_events_referral ON referral_events (referral_id, id);

-- /forget deletes the users row; before it goes, its referrals lose everything that identifies the person,
-- and keep what the statistics need (kind, item, region, city, status, dates).
CREATE TRIGGER users_forget_referrals BEFORE DELETE ON users
BEGIN
    UPDATE referral_events SET note = NULL
     WHERE referral_id IN (SELECT id FROM referrals WHERE user_id = OLD.id);
    UPDATE referrals SET name = NULL, phone = NULL, comment = NULL WHERE user_id = OLD.id;
END;
