# A polymorphic reference has no foreign key, so uuid7_migrate cannot see it: comments.commentable_id still holds
# the old bigint keys of users and orders. Convert it through the mappings, one case per commentable_type; a type
# not listed here, or an id whose row no longer existed at migration time, becomes NULL and the NOT NULL column
# refuses it (the migration fails and changes nothing).
class Uuid7PolymorphicComments < ActiveRecord::Migration[6.1]
  def up
    execute <<~SQL
      ALTER TABLE comments ALTER COLUMN commentable_id TYPE uuid USING
        CASE commentable_type
          WHEN 'User'  THEN uuid7_mapped_id('users', commentable_id)
          WHEN 'Order' THEN uuid7_mapped_id('orders', commentable_id)
        END
    SQL
  end

  def down
    raise ActiveRecord::IrreversibleMigration
  end
end
