"""Baseline: the schema the ten legacy SQL migrations (migrations/legacy/0001..0010) built on SQLite.

A SQLite database they wrote (PRAGMA user_version = 10) is stamped at this revision, not rebuilt. The two
triggers are the only per-database text: SQLite's are the legacy ones, PostgreSQL's do the same in PL/pgSQL.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

# Timestamps: timestamptz on PostgreSQL, ISO 8601 text on SQLite (as the legacy schema stored them).
TS = sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite")

SQLITE_TRIGGERS = (
    # /forget deletes the users row; before it goes, its referrals lose everything that identifies the person.
    """
    CREATE TRIGGER users_forget_referrals BEFORE DELETE ON users
    BEGIN
        UPDATE referral_events SET note = NULL
         WHERE referral_id IN (SELECT id FROM referrals WHERE user_id = OLD.id);
        UPDATE referrals SET name = NULL, phone = NULL, comment = NULL WHERE user_id = OLD.id;
    END
    """,
    # Everyone who starts the bot is subscribed, with safety alerts on, until they say otherwise.
    """
    CREATE TRIGGER users_default_subscription AFTER INSERT ON users
    BEGIN
        INSERT OR IGNORE INTO subscriptions (user_id, updated_at) VALUES (NEW.id, NEW.first_seen);
        INSERT OR IGNORE INTO user_interests (user_id, topic) VALUES (NEW.id, 'safety');
    END
    """,
)
POSTGRESQL_TRIGGERS = (
    """
    CREATE FUNCTION users_forget_referrals() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE referral_events SET note = NULL
         WHERE referral_id IN (SELECT id FROM referrals WHERE user_id = OLD.id);
        UPDATE referrals SET name = NULL, phone = NULL, comment = NULL WHERE user_id = OLD.id;
        RETURN OLD;
    END $$
    """,
    "CREATE TRIGGER users_forget_referrals BEFORE DELETE ON users"
    " FOR EACH ROW EXECUTE FUNCTION users_forget_referrals()",
    """
    CREATE FUNCTION users_default_subscription() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO subscriptions (user_id, updated_at) VALUES (NEW.id, NEW.first_seen)
            ON CONFLICT DO NOTHING;
        INSERT INTO user_interests (user_id, topic) VALUES (NEW.id, 'safety') ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER users_default_subscription AFTER INSERT ON users"
    " FOR EACH ROW EXECUTE FUNCTION users_default_subscription()",
)

revision = '0001_baseline'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('actor_id', sa.BigInteger(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('target', sa.Text(), nullable=True),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('at', TS, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('audit_log_pkey'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('audit_log_at', ['at'], unique=False)

    op.create_table('broadcasts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sender_id', sa.BigInteger(), nullable=False),
    sa.Column('sender_locale', sa.Text(), nullable=False),
    sa.Column('audience', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), server_default=sa.text("'scheduled'"), nullable=False),
    sa.Column('scheduled_at', TS, nullable=False),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.Column('progress_chat_id', sa.BigInteger(), nullable=True),
    sa.Column('progress_message_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('started_at', TS, nullable=True),
    sa.Column('finished_at', TS, nullable=True),
    sa.CheckConstraint("status IN ('scheduled', 'running', 'done', 'cancelled')", name=op.f('broadcasts_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('broadcasts_pkey'))
    )
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.create_index('broadcasts_status', ['status', 'scheduled_at'], unique=False)

    op.create_table('fsm_state',
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('bot_id', sa.BigInteger(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('thread_id', sa.BigInteger(), nullable=True),
    sa.Column('business_connection_id', sa.Text(), nullable=True),
    sa.Column('destiny', sa.Text(), nullable=False),
    sa.Column('state', sa.Text(), nullable=True),
    sa.Column('data', sa.Text(), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('updated_at', TS, nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('fsm_state_pkey'))
    )
    with op.batch_alter_table('fsm_state', schema=None) as batch_op:
        batch_op.create_index('fsm_state_user', ['user_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('locale', sa.Text(), nullable=True),
    sa.Column('subject_id', sa.BigInteger(), nullable=False),
    sa.Column('payload', sa.Text(), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('state', sa.Text(), server_default=sa.text("'pending'"), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('not_before', TS, nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('updated_at', TS, nullable=False),
    sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed', 'ambiguous')", name=op.f('outbox_state')),
    sa.PrimaryKeyConstraint('id', name=op.f('outbox_pkey'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('outbox_due', ['state', 'not_before'], unique=False)

    op.create_table('staff',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('role', sa.Text(), nullable=False),
    sa.Column('granted_by', sa.BigInteger(), nullable=True),
    sa.Column('granted_at', TS, nullable=False),
    sa.CheckConstraint("role IN ('volunteer', 'coordinator')", name=op.f('staff_role')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('staff_pkey'))
    )
    op.create_table('users',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('locale', sa.Text(), nullable=True),
    sa.Column('first_seen', TS, nullable=False),
    sa.Column('last_seen', TS, nullable=False),
    sa.Column('blocked', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('privacy_seen_at', TS, nullable=True),
    sa.Column('data_consent_at', TS, nullable=True),
    sa.Column('telegram_locale', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('users_pkey'))
    )
    op.create_table('web_login_failures',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('client', sa.Text(), nullable=False),
    sa.Column('at', TS, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('web_login_failures_pkey'))
    )
    with op.batch_alter_table('web_login_failures', schema=None) as batch_op:
        batch_op.create_index('web_login_failures_client', ['client', 'at'], unique=False)

    op.create_table('web_login_tokens',
    sa.Column('token_hash', sa.Text(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('expires_at', TS, nullable=False),
    sa.Column('used_at', TS, nullable=True),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('web_login_tokens_pkey'))
    )
    with op.batch_alter_table('web_login_tokens', schema=None) as batch_op:
        batch_op.create_index('web_login_tokens_user', ['user_id'], unique=False)

    op.create_table('web_sessions',
    sa.Column('token_hash', sa.Text(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('csrf_token', sa.Text(), nullable=False),
    sa.Column('locale', sa.Text(), nullable=True),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('seen_at', TS, nullable=False),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('web_sessions_pkey'))
    )
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.create_index('web_sessions_user', ['user_id'], unique=False)

    op.create_table('broadcast_recipients',
    sa.Column('broadcast_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('locale', sa.Text(), nullable=False),
    sa.Column('state', sa.Text(), server_default=sa.text("'pending'"), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_at', TS, nullable=False),
    sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'blocked', 'failed', 'ambiguous')", name=op.f('broadcast_recipients_state')),
    sa.ForeignKeyConstraint(['broadcast_id'], ['broadcasts.id'], name=op.f('broadcast_recipients_broadcast_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('broadcast_recipients_user_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('broadcast_id', 'user_id', name=op.f('broadcast_recipients_pkey')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('broadcast_recipients', schema=None) as batch_op:
        batch_op.create_index('broadcast_recipients_state', ['broadcast_id', 'state'], unique=False)

    op.create_table('broadcast_summaries',
    sa.Column('broadcast_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('state', sa.Text(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['broadcast_id'], ['broadcasts.id'], name=op.f('broadcast_summaries_broadcast_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('broadcast_id', 'state', name=op.f('broadcast_summaries_pkey')),
    sqlite_with_rowid=False
    )
    op.create_table('broadcast_versions',
    sa.Column('broadcast_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('locale', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('entities', sa.Text(), server_default=sa.text("'[]'"), nullable=False),
    sa.Column('file_id', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('text', 'photo', 'video', 'document')", name=op.f('broadcast_versions_kind')),
    sa.ForeignKeyConstraint(['broadcast_id'], ['broadcasts.id'], name=op.f('broadcast_versions_broadcast_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('broadcast_id', 'locale', name=op.f('broadcast_versions_pkey')),
    sqlite_with_rowid=False
    )
    op.create_table('cases',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('topic', sa.Text(), nullable=False),
    sa.Column('locale', sa.Text(), nullable=False),
    sa.Column('region', sa.Text(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), server_default=sa.text("'open'"), nullable=False),
    sa.Column('urgent', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('thread_id', sa.BigInteger(), nullable=True),
    sa.Column('card_message_id', sa.BigInteger(), nullable=True),
    sa.Column('assignee_id', sa.BigInteger(), nullable=True),
    sa.Column('unreachable', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('consent_at', TS, nullable=False),
    sa.Column('opened_at', TS, nullable=False),
    sa.Column('first_message_at', TS, nullable=True),
    sa.Column('first_answer_at', TS, nullable=True),
    sa.Column('waiting_since', TS, nullable=True),
    sa.Column('closed_at', TS, nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('cases_status')),
    sa.CheckConstraint("topic IN ('ban', 'work', 'documents', 'training', 'health', 'safety', 'other')", name=op.f('cases_topic')),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('cases_rating')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('cases_user_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('cases_pkey'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('cases_one_open', ['user_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.create_index('cases_status', ['status', 'closed_at'], unique=False)
        batch_op.create_index('cases_thread', ['chat_id', 'thread_id'], unique=False)
        batch_op.create_index('cases_user', ['user_id', 'id'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('item_id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('region', sa.Text(), nullable=False),
    sa.Column('city', sa.Text(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default=sa.text("'new'"), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('updated_at', TS, nullable=False),
    sa.CheckConstraint("kind IN ('training', 'service')", name=op.f('referrals_kind')),
    sa.CheckConstraint("status IN ('new', 'contacted', 'enrolled', 'completed', 'declined')", name=op.f('referrals_status')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('referrals_user_id_fkey'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('referrals_pkey'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index('referrals_created', ['created_at'], unique=False)
        batch_op.create_index('referrals_item', ['item_id', 'created_at'], unique=False)
        batch_op.create_index('referrals_region', ['region', 'created_at'], unique=False)
        batch_op.create_index('referrals_status', ['status', 'created_at'], unique=False)
        batch_op.create_index('referrals_user', ['user_id', 'item_id', 'created_at'], unique=False)

    op.create_table('reminders',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('subject_date', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Text(), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('sent_at', TS, nullable=True),
    sa.CheckConstraint("kind IN ('check_before_travel', 'ban_end', 'stay_end', 'contract_end', 'medical_expiry', 'registration_expiry', 'passport_expiry')", name=op.f('reminders_kind')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('reminders_user_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('reminders_pkey')),
    sa.UniqueConstraint('user_id', 'kind', 'subject_date', 'due_on', name=op.f('reminders_user_id_kind_subject_date_due_on_key'))
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index('reminders_by_user', ['user_id', 'kind', 'subject_date'], unique=False)
        batch_op.create_index('reminders_pending', ['due_on'], unique=False, sqlite_where=sa.text('sent_at IS NULL'), postgresql_where=sa.text('sent_at IS NULL'))

    op.create_table('subscriptions',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('subscribed', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('region', sa.Text(), nullable=True),
    sa.Column('updated_at', TS, nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('subscriptions_user_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('subscriptions_pkey'))
    )
    op.create_table('user_interests',
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('topic', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('user_interests_user_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'topic', name=op.f('user_interests_pkey')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('user_interests', schema=None) as batch_op:
        batch_op.create_index('user_interests_topic', ['topic', 'user_id'], unique=False)

    op.create_table('case_messages',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('direction', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('user_message_id', sa.BigInteger(), nullable=False),
    sa.Column('group_message_id', sa.BigInteger(), nullable=True),
    sa.Column('reply_to', sa.BigInteger(), nullable=True),
    sa.Column('text_html', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default=sa.text("'pending'"), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('sent_at', TS, nullable=True),
    sa.CheckConstraint("direction IN ('in', 'out')", name=op.f('case_messages_direction')),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f('case_messages_status')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('case_messages_case_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('case_messages_pkey'))
    )
    with op.batch_alter_table('case_messages', schema=None) as batch_op:
        batch_op.create_index('case_messages_group', ['case_id', 'group_message_id'], unique=False)
        batch_op.create_index('case_messages_pending', ['status', 'case_id', 'id'], unique=False)
        batch_op.create_index('case_messages_user', ['case_id', 'user_message_id'], unique=False)

    op.create_table('referral_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('referral_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('actor_id', sa.BigInteger(), nullable=False),
    sa.Column('at', TS, nullable=False),
    sa.Column('from_status', sa.Text(), nullable=True),
    sa.Column('to_status', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('referral_events_referral_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('referral_events_pkey'))
    )
    with op.batch_alter_table('referral_events', schema=None) as batch_op:
        batch_op.create_index('referral_events_referral', ['referral_id', 'id'], unique=False)

    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # what older Koldoo versions read: this schema is the last of their migrations
        op.execute("PRAGMA user_version = 10")
    triggers = SQLITE_TRIGGERS if sqlite else POSTGRESQL_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS users_forget_referrals" + (" ON users" if op.get_bind().dialect.name != "sqlite" else ""))
    op.execute("DROP TRIGGER IF EXISTS users_default_subscription" + (" ON users" if op.get_bind().dialect.name != "sqlite" else ""))
    with op.batch_alter_table('referral_events', schema=None) as batch_op:
        batch_op.drop_index('referral_events_referral')

    op.drop_table('referral_events')
    with op.batch_alter_table('case_messages', schema=None) as batch_op:
        batch_op.drop_index('case_messages_user')
        batch_op.drop_index('case_messages_pending')
        batch_op.drop_index('case_messages_group')

    op.drop_table('case_messages')
    with op.batch_alter_table('user_interests', schema=None) as batch_op:
        batch_op.drop_index('user_interests_topic')

    op.drop_table('user_interests')
    op.drop_table('subscriptions')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index('reminders_pending', sqlite_where=sa.text('sent_at IS NULL'), postgresql_where=sa.text('sent_at IS NULL'))
        batch_op.drop_index('reminders_by_user')

    op.drop_table('reminders')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('referrals_user')
        batch_op.drop_index('referrals_status')
        batch_op.drop_index('referrals_region')
        batch_op.drop_index('referrals_item')
        batch_op.drop_index('referrals_created')

    op.drop_table('referrals')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('cases_user')
        batch_op.drop_index('cases_thread')
        batch_op.drop_index('cases_status')
        batch_op.drop_index('cases_one_open', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.drop_table('cases')
    op.drop_table('broadcast_versions')
    op.drop_table('broadcast_summaries')
    with op.batch_alter_table('broadcast_recipients', schema=None) as batch_op:
        batch_op.drop_index('broadcast_recipients_state')

    op.drop_table('broadcast_recipients')
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_index('web_sessions_user')

    op.drop_table('web_sessions')
    with op.batch_alter_table('web_login_tokens', schema=None) as batch_op:
        batch_op.drop_index('web_login_tokens_user')

    op.drop_table('web_login_tokens')
    with op.batch_alter_table('web_login_failures', schema=None) as batch_op:
        batch_op.drop_index('web_login_failures_client')

    op.drop_table('web_login_failures')
    op.drop_table('users')
    op.drop_table('staff')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('outbox_due')

    op.drop_table('outbox')
    with op.batch_alter_table('fsm_state', schema=None) as batch_op:
        batch_op.drop_index('fsm_state_user')

    op.drop_table('fsm_state')
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_index('broadcasts_status')

    op.drop_table('broadcasts')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('audit_log_at')

    op.drop_table('audit_log')
