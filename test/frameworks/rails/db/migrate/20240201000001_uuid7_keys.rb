# The keys of users, orders and comments become uuid7 keys: one uuid7_migrate call converts them and every foreign
# key column that references them (orders.user_id), in the transaction ActiveRecord runs the migration in.
class Uuid7Keys < ActiveRecord::Migration[6.1]
  def up
    enable_extension "uuid7" # (a database built from the migrations alone gets the extension here)
    execute "SELECT uuid7_migrate(ARRAY['users', 'orders', 'comments']::regclass[])"
  end

  def down
    raise ActiveRecord::IrreversibleMigration, "the old keys stay readable through uuid7_legacy_id"
  end
end
