"""Initial schema: the seed tables plus voices, packs, purchases, entitlements, ledgers, audit, jobs.

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 04:05:23.299530

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stripe_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('stripe_event_id', sa.String(length=255), nullable=False),
    sa.Column('event_type', sa.String(length=100), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_events')),
    sa.UniqueConstraint('stripe_event_id', name=op.f('uq_stripe_events_stripe_event_id'))
    )
    op.create_table('users',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('roles', sa.JSON().with_variant(postgresql.ARRAY(sa.Text()), 'postgresql'), nullable=False),
    sa.Column('preferences', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('practice_history_summary', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('credit_balance', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('token_version', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('suspended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint('credit_balance >= 0', name=op.f('ck_users_credit_balance_non_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('voices',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('provider_voice_id', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('gender', sa.String(length=16), nullable=True),
    sa.Column('style', sa.String(length=64), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('preview_key', sa.String(length=500), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint("provider IN ('piper', 'espeak', 'elevenlabs')", name=op.f('ck_voices_provider_valid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voices')),
    sa.UniqueConstraint('provider', 'provider_voice_id', name='uq_voices_provider_voice')
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('actor_email', sa.String(length=254), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target_type', sa.String(length=64), nullable=True),
    sa.Column('target_id', sa.String(length=64), nullable=True),
    sa.Column('before', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('after', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_log_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index('ix_audit_log_actor_created', ['actor_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_audit_log_target', ['target_type', 'target_id'], unique=False)

    op.create_table('content_items',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('content_text', sa.Text(), nullable=False),
    sa.Column('voice_id', sa.Uuid(), nullable=True),
    sa.Column('audio_url', sa.String(length=500), nullable=True),
    sa.Column('audio_duration', sa.Float(), nullable=True),
    sa.Column('depth', sa.String(length=16), nullable=True),
    sa.Column('tags', sa.JSON().with_variant(postgresql.ARRAY(sa.Text()), 'postgresql'), nullable=False),
    sa.Column('structure', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('context', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('last_played_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('play_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('metadata', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint("content_type IN ('affirmation', 'guided_meditation', 'ritual')", name=op.f('ck_content_items_content_type_valid')),
    sa.CheckConstraint("depth IS NULL OR depth IN ('shallow', 'medium', 'deep')", name=op.f('ck_content_items_depth_valid')),
    sa.CheckConstraint('play_count >= 0', name=op.f('ck_content_items_play_count_non_negative')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_content_items_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['voice_id'], ['voices.id'], name=op.f('fk_content_items_voice_id_voices'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_items'))
    )
    with op.batch_alter_table('content_items', schema=None) as batch_op:
        batch_op.create_index('ix_content_items_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_content_items_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_content_items_voice_id'), ['voice_id'], unique=False)

    op.create_table('ritual_packs',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('creator_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON().with_variant(postgresql.ARRAY(sa.Text()), 'postgresql'), nullable=False),
    sa.Column('cover_key', sa.String(length=500), nullable=True),
    sa.Column('price_type', sa.String(length=16), nullable=False),
    sa.Column('price_amount', sa.Integer(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('subscription_interval', sa.String(length=16), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('metadata', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint("(price_type = 'free' AND COALESCE(price_amount, 0) = 0) OR (price_type <> 'free' AND price_amount IS NOT NULL AND price_amount > 0)", name=op.f('ck_ritual_packs_price_matches_type')),
    sa.CheckConstraint("(price_type = 'subscription') = (subscription_interval IS NOT NULL)", name=op.f('ck_ritual_packs_interval_only_for_subscriptions')),
    sa.CheckConstraint("price_type IN ('free', 'one_time', 'subscription')", name=op.f('ck_ritual_packs_price_type_valid')),
    sa.CheckConstraint("status IN ('draft', 'in_review', 'published', 'archived')", name=op.f('ck_ritual_packs_status_valid')),
    sa.CheckConstraint("subscription_interval IS NULL OR subscription_interval IN ('monthly', 'annual')", name=op.f('ck_ritual_packs_subscription_interval_valid')),
    sa.ForeignKeyConstraint(['creator_id'], ['users.id'], name=op.f('fk_ritual_packs_creator_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ritual_packs'))
    )
    with op.batch_alter_table('ritual_packs', schema=None) as batch_op:
        batch_op.create_index('ix_ritual_packs_creator_created', ['creator_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ritual_packs_creator_id'), ['creator_id'], unique=False)
        batch_op.create_index('ix_ritual_packs_status_published', ['status', 'published_at'], unique=False)

    op.create_table('conversations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('session_id', sa.String(length=64), nullable=False),
    sa.Column('messages', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resulting_ritual_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint("state IN ('IntentDiscovery', 'ContextGathering', 'PracticeDetails', 'Personalization', 'Confirm', 'Generating', 'Complete')", name=op.f('ck_conversations_state_valid')),
    sa.ForeignKeyConstraint(['resulting_ritual_id'], ['content_items.id'], name=op.f('fk_conversations_resulting_ritual_id_content_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_conversations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversations')),
    sa.UniqueConstraint('session_id', name=op.f('uq_conversations_session_id'))
    )
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversations_resulting_ritual_id'), ['resulting_ritual_id'], unique=False)
        batch_op.create_index('ix_conversations_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversations_user_id'), ['user_id'], unique=False)

    op.create_table('credit_transactions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('transaction_type', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('balance_after', sa.Integer(), nullable=False),
    sa.Column('entry_no', sa.Integer(), nullable=False),
    sa.Column('content_item_id', sa.Uuid(), nullable=True),
    sa.Column('content_type', sa.String(length=32), nullable=True),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('metadata', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint("(transaction_type = 'consumption' AND amount < 0) OR (transaction_type <> 'consumption' AND amount > 0)", name=op.f('ck_credit_transactions_amount_sign')),
    sa.CheckConstraint("content_type IS NULL OR content_type IN ('affirmation', 'guided_meditation', 'ritual')", name=op.f('ck_credit_transactions_content_type_valid')),
    sa.CheckConstraint("transaction_type IN ('purchase', 'consumption', 'refund')", name=op.f('ck_credit_transactions_transaction_type_valid')),
    sa.CheckConstraint('amount <> 0', name=op.f('ck_credit_transactions_amount_non_zero')),
    sa.CheckConstraint('balance_after >= 0', name=op.f('ck_credit_transactions_balance_after_non_negative')),
    sa.ForeignKeyConstraint(['content_item_id'], ['content_items.id'], name=op.f('fk_credit_transactions_content_item_id_content_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_credit_transactions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_transactions')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_credit_transactions_idempotency_key')),
    sa.UniqueConstraint('user_id', 'entry_no', name='uq_credit_transactions_user_entry')
    )
    with op.batch_alter_table('credit_transactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_transactions_content_item_id'), ['content_item_id'], unique=False)
        batch_op.create_index('ix_credit_transactions_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_transactions_user_id'), ['user_id'], unique=False)

    op.create_table('generation_jobs',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('content_item_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('rq_job_id', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('step_label', sa.String(length=200), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('spec', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint("status IN ('queued', 'writing', 'voicing', 'mixing', 'ready', 'failed')", name=op.f('ck_generation_jobs_status_valid')),
    sa.CheckConstraint('progress >= 0 AND progress <= 100', name=op.f('ck_generation_jobs_progress_range')),
    sa.ForeignKeyConstraint(['content_item_id'], ['content_items.id'], name=op.f('fk_generation_jobs_content_item_id_content_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_generation_jobs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_generation_jobs')),
    sa.UniqueConstraint('content_item_id', 'version', name='uq_generation_jobs_item_version'),
    sa.UniqueConstraint('rq_job_id', name=op.f('uq_generation_jobs_rq_job_id'))
    )
    with op.batch_alter_table('generation_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_generation_jobs_content_item_id'), ['content_item_id'], unique=False)
        batch_op.create_index('ix_generation_jobs_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_generation_jobs_user_id'), ['user_id'], unique=False)

    op.create_table('pack_items',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pack_id', sa.Uuid(), nullable=False),
    sa.Column('content_item_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.ForeignKeyConstraint(['content_item_id'], ['content_items.id'], name=op.f('fk_pack_items_content_item_id_content_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pack_id'], ['ritual_packs.id'], name=op.f('fk_pack_items_pack_id_ritual_packs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pack_items')),
    sa.UniqueConstraint('pack_id', 'content_item_id', name='uq_pack_items_pack_item')
    )
    with op.batch_alter_table('pack_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pack_items_content_item_id'), ['content_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pack_items_pack_id'), ['pack_id'], unique=False)

    op.create_table('practice_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('ritual_id', sa.Uuid(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration', sa.Integer(), nullable=True),
    sa.Column('metadata', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint('duration IS NULL OR duration >= 0', name=op.f('ck_practice_events_duration_non_negative')),
    sa.ForeignKeyConstraint(['ritual_id'], ['content_items.id'], name=op.f('fk_practice_events_ritual_id_content_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_practice_events_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_events'))
    )
    with op.batch_alter_table('practice_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_events_ritual_id'), ['ritual_id'], unique=False)
        batch_op.create_index('ix_practice_events_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_practice_events_user_id'), ['user_id'], unique=False)

    op.create_table('purchases',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('pack_id', sa.Uuid(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('stripe_checkout_session_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_payment_intent_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_subscription_id', sa.String(length=255), nullable=True),
    sa.Column('metadata', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('fulfilled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint("kind IN ('pack', 'subscription', 'credits')", name=op.f('ck_purchases_kind_valid')),
    sa.CheckConstraint("status IN ('pending', 'paid', 'failed', 'refunded', 'canceled')", name=op.f('ck_purchases_status_valid')),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_purchases_amount_non_negative')),
    sa.ForeignKeyConstraint(['pack_id'], ['ritual_packs.id'], name=op.f('fk_purchases_pack_id_ritual_packs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_purchases_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchases')),
    sa.UniqueConstraint('stripe_checkout_session_id', name=op.f('uq_purchases_stripe_checkout_session_id'))
    )
    with op.batch_alter_table('purchases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchases_pack_id'), ['pack_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchases_stripe_payment_intent_id'), ['stripe_payment_intent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchases_stripe_subscription_id'), ['stripe_subscription_id'], unique=False)
        batch_op.create_index('ix_purchases_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchases_user_id'), ['user_id'], unique=False)

    op.create_table('creator_token_transactions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('creator_id', sa.Uuid(), nullable=False),
    sa.Column('transaction_type', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('balance_after', sa.Integer(), nullable=False),
    sa.Column('entry_no', sa.Integer(), nullable=False),
    sa.Column('purchase_id', sa.Uuid(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('metadata', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint("transaction_type IN ('reward', 'reversal', 'payout', 'adjustment')", name=op.f('ck_creator_token_transactions_transaction_type_valid')),
    sa.CheckConstraint('amount <> 0', name=op.f('ck_creator_token_transactions_amount_non_zero')),
    sa.CheckConstraint('balance_after >= 0', name=op.f('ck_creator_token_transactions_balance_after_non_negative')),
    sa.ForeignKeyConstraint(['creator_id'], ['users.id'], name=op.f('fk_creator_token_transactions_creator_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['purchase_id'], ['purchases.id'], name=op.f('fk_creator_token_transactions_purchase_id_purchases'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_creator_token_transactions')),
    sa.UniqueConstraint('creator_id', 'entry_no', name='uq_creator_token_transactions_creator_entry'),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_creator_token_transactions_idempotency_key'))
    )
    with op.batch_alter_table('creator_token_transactions', schema=None) as batch_op:
        batch_op.create_index('ix_creator_token_transactions_creator_created', ['creator_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_creator_token_transactions_creator_id'), ['creator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_creator_token_transactions_purchase_id'), ['purchase_id'], unique=False)

    op.create_table('entitlements',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('pack_id', sa.Uuid(), nullable=False),
    sa.Column('purchase_id', sa.Uuid(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint("source IN ('free', 'purchase', 'subscription', 'admin')", name=op.f('ck_entitlements_source_valid')),
    sa.ForeignKeyConstraint(['pack_id'], ['ritual_packs.id'], name=op.f('fk_entitlements_pack_id_ritual_packs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['purchase_id'], ['purchases.id'], name=op.f('fk_entitlements_purchase_id_purchases'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_entitlements_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entitlements')),
    sa.UniqueConstraint('user_id', 'pack_id', name='uq_entitlements_user_pack')
    )
    with op.batch_alter_table('entitlements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entitlements_pack_id'), ['pack_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_entitlements_purchase_id'), ['purchase_id'], unique=False)
        batch_op.create_index('ix_entitlements_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_entitlements_user_id'), ['user_id'], unique=False)


    if op.get_bind().dialect.name == "postgresql":
        # Array containment is PostgreSQL's; on SQLite the accounts service validates roles.
        op.create_check_constraint(
            op.f("ck_users_roles_valid"), "users", "roles <@ ARRAY['user','creator','admin']::text[]"
        )

def downgrade():
    with op.batch_alter_table('entitlements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entitlements_user_id'))
        batch_op.drop_index('ix_entitlements_user_created')
        batch_op.drop_index(batch_op.f('ix_entitlements_purchase_id'))
        batch_op.drop_index(batch_op.f('ix_entitlements_pack_id'))

    op.drop_table('entitlements')
    with op.batch_alter_table('creator_token_transactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_creator_token_transactions_purchase_id'))
        batch_op.drop_index(batch_op.f('ix_creator_token_transactions_creator_id'))
        batch_op.drop_index('ix_creator_token_transactions_creator_created')

    op.drop_table('creator_token_transactions')
    with op.batch_alter_table('purchases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchases_user_id'))
        batch_op.drop_index('ix_purchases_user_created')
        batch_op.drop_index(batch_op.f('ix_purchases_stripe_subscription_id'))
        batch_op.drop_index(batch_op.f('ix_purchases_stripe_payment_intent_id'))
        batch_op.drop_index(batch_op.f('ix_purchases_pack_id'))

    op.drop_table('purchases')
    with op.batch_alter_table('practice_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_events_user_id'))
        batch_op.drop_index('ix_practice_events_user_created')
        batch_op.drop_index(batch_op.f('ix_practice_events_ritual_id'))

    op.drop_table('practice_events')
    with op.batch_alter_table('pack_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pack_items_pack_id'))
        batch_op.drop_index(batch_op.f('ix_pack_items_content_item_id'))

    op.drop_table('pack_items')
    with op.batch_alter_table('generation_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_generation_jobs_user_id'))
        batch_op.drop_index('ix_generation_jobs_user_created')
        batch_op.drop_index(batch_op.f('ix_generation_jobs_content_item_id'))

    op.drop_table('generation_jobs')
    with op.batch_alter_table('credit_transactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_transactions_user_id'))
        batch_op.drop_index('ix_credit_transactions_user_created')
        batch_op.drop_index(batch_op.f('ix_credit_transactions_content_item_id'))

    op.drop_table('credit_transactions')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversations_user_id'))
        batch_op.drop_index('ix_conversations_user_created')
        batch_op.drop_index(batch_op.f('ix_conversations_resulting_ritual_id'))

    op.drop_table('conversations')
    with op.batch_alter_table('ritual_packs', schema=None) as batch_op:
        batch_op.drop_index('ix_ritual_packs_status_published')
        batch_op.drop_index(batch_op.f('ix_ritual_packs_creator_id'))
        batch_op.drop_index('ix_ritual_packs_creator_created')

    op.drop_table('ritual_packs')
    with op.batch_alter_table('content_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_items_voice_id'))
        batch_op.drop_index(batch_op.f('ix_content_items_user_id'))
        batch_op.drop_index('ix_content_items_user_created')

    op.drop_table('content_items')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_target')
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))
        batch_op.drop_index('ix_audit_log_actor_created')
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')
    op.drop_table('voices')
    op.drop_table('users')
    op.drop_table('stripe_events')
