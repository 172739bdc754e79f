"""Studio and moderation: pack reviews, reports, payout requests, notifications, pack lifecycle
times and the moderation note; the audit log made append-only on PostgreSQL.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 10:59:31.321988

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# SECURITY.md 22: audit rows are never changed or removed. The one write allowed is the foreign key's
# own ON DELETE SET NULL when the acting user is deleted (the row keeps `actor_email`).
AUDIT_APPEND_ONLY = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL
       AND (NEW.id, NEW.actor_email, NEW.action, NEW.target_type, NEW.target_id, NEW.before::text,
            NEW.after::text, NEW.ip, NEW.user_agent, NEW.created_at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.actor_email, OLD.action, OLD.target_type, OLD.target_id, OLD.before::text,
            OLD.after::text, OLD.ip, OLD.user_agent, OLD.created_at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
"""


def upgrade():
    op.create_table('notifications',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('pack_id', sa.Uuid(), nullable=True),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.ForeignKeyConstraint(['pack_id'], ['ritual_packs.id'], name=op.f('fk_notifications_pack_id_ritual_packs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_pack_id'), ['pack_id'], unique=False)
        batch_op.create_index('ix_notifications_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_user_id'), ['user_id'], unique=False)

    op.create_table('pack_reviews',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pack_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_pack_reviews_rating_range')),
    sa.ForeignKeyConstraint(['pack_id'], ['ritual_packs.id'], name=op.f('fk_pack_reviews_pack_id_ritual_packs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pack_reviews_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pack_reviews')),
    sa.UniqueConstraint('pack_id', 'user_id', name='uq_pack_reviews_pack_user')
    )
    with op.batch_alter_table('pack_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_pack_reviews_pack_created', ['pack_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pack_reviews_pack_id'), ['pack_id'], unique=False)
        batch_op.create_index('ix_pack_reviews_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pack_reviews_user_id'), ['user_id'], unique=False)

    op.create_table('reports',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('reporter_id', sa.Uuid(), nullable=False),
    sa.Column('target_type', sa.String(length=16), nullable=False),
    sa.Column('pack_id', sa.Uuid(), nullable=True),
    sa.Column('review_id', sa.Uuid(), nullable=True),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('resolution', sa.String(length=32), nullable=True),
    sa.Column('resolved_by', sa.Uuid(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint("(target_type = 'pack' AND pack_id IS NOT NULL AND review_id IS NULL) OR (target_type = 'review' AND review_id IS NOT NULL)", name=op.f('ck_reports_target_matches_type')),
    sa.CheckConstraint("reason IN ('spam', 'offensive', 'misleading', 'copyright', 'other')", name=op.f('ck_reports_reason_valid')),
    sa.CheckConstraint("status IN ('open', 'dismissed', 'actioned')", name=op.f('ck_reports_status_valid')),
    sa.CheckConstraint("target_type IN ('pack', 'review')", name=op.f('ck_reports_target_type_valid')),
    sa.ForeignKeyConstraint(['pack_id'], ['ritual_packs.id'], name=op.f('fk_reports_pack_id_ritual_packs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_reports_reporter_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by'], ['users.id'], name=op.f('fk_reports_resolved_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['pack_reviews.id'], name=op.f('fk_reports_review_id_pack_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_pack_id'), ['pack_id'], unique=False)
        batch_op.create_index('ix_reports_reporter_created', ['reporter_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_resolved_by'), ['resolved_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_review_id'), ['review_id'], unique=False)
        batch_op.create_index('ix_reports_status_created', ['status', 'created_at'], unique=False)

    op.create_table('payout_requests',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('creator_id', sa.Uuid(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.Uuid(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('token_transaction_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name=op.f('ck_payout_requests_status_valid')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payout_requests_amount_positive')),
    sa.ForeignKeyConstraint(['creator_id'], ['users.id'], name=op.f('fk_payout_requests_creator_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_payout_requests_decided_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['token_transaction_id'], ['creator_token_transactions.id'], name=op.f('fk_payout_requests_token_transaction_id_creator_token_transactions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_requests'))
    )
    with op.batch_alter_table('payout_requests', schema=None) as batch_op:
        batch_op.create_index('ix_payout_requests_creator_created', ['creator_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payout_requests_creator_id'), ['creator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payout_requests_decided_by'), ['decided_by'], unique=False)
        batch_op.create_index('ix_payout_requests_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payout_requests_token_transaction_id'), ['token_transaction_id'], unique=False)

    with op.batch_alter_table('ritual_packs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('moderation_note', sa.Text(), nullable=True))

    if op.get_bind().dialect.name == "postgresql":
        op.execute(AUDIT_APPEND_ONLY)



def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    with op.batch_alter_table('ritual_packs', schema=None) as batch_op:
        batch_op.drop_column('moderation_note')
        batch_op.drop_column('archived_at')
        batch_op.drop_column('submitted_at')

    with op.batch_alter_table('payout_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payout_requests_token_transaction_id'))
        batch_op.drop_index('ix_payout_requests_status_created')
        batch_op.drop_index(batch_op.f('ix_payout_requests_decided_by'))
        batch_op.drop_index(batch_op.f('ix_payout_requests_creator_id'))
        batch_op.drop_index('ix_payout_requests_creator_created')

    op.drop_table('payout_requests')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_status_created')
        batch_op.drop_index(batch_op.f('ix_reports_review_id'))
        batch_op.drop_index(batch_op.f('ix_reports_resolved_by'))
        batch_op.drop_index(batch_op.f('ix_reports_reporter_id'))
        batch_op.drop_index('ix_reports_reporter_created')
        batch_op.drop_index(batch_op.f('ix_reports_pack_id'))

    op.drop_table('reports')
    with op.batch_alter_table('pack_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pack_reviews_user_id'))
        batch_op.drop_index('ix_pack_reviews_user_created')
        batch_op.drop_index(batch_op.f('ix_pack_reviews_pack_id'))
        batch_op.drop_index('ix_pack_reviews_pack_created')

    op.drop_table('pack_reviews')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_user_id'))
        batch_op.drop_index('ix_notifications_user_created')
        batch_op.drop_index(batch_op.f('ix_notifications_pack_id'))

    op.drop_table('notifications')
