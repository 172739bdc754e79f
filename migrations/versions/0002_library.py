"""Library: each listener's own state for an item (favourite, resume position), owned or from a pack.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 06:33:39.256489

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('library_entries',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('content_item_id', sa.Uuid(), nullable=False),
    sa.Column('is_favourite', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('resume_position', sa.Float(), server_default=sa.text('0'), nullable=False),
    sa.Column('position_updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint('resume_position >= 0', name=op.f('ck_library_entries_resume_position_non_negative')),
    sa.ForeignKeyConstraint(['content_item_id'], ['content_items.id'], name=op.f('fk_library_entries_content_item_id_content_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_library_entries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_entries')),
    sa.UniqueConstraint('user_id', 'content_item_id', name='uq_library_entries_user_item')
    )
    with op.batch_alter_table('library_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_entries_content_item_id'), ['content_item_id'], unique=False)
        batch_op.create_index('ix_library_entries_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_library_entries_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('library_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_entries_user_id'))
        batch_op.drop_index('ix_library_entries_user_created')
        batch_op.drop_index(batch_op.f('ix_library_entries_content_item_id'))

    op.drop_table('library_entries')
