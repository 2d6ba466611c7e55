# The schema before: bigint keys (create_table's default), orders.user_id a foreign key, comments a polymorphic
# reference to users or orders (commentable_type + commentable_id, no foreign key).
class CreateUsersOrdersComments < ActiveRecord::Migration[6.1]
  def change
    create_table :users do |t|
      t.string :name, null: false
      t.string :email, null: false, index: { unique: true }
      t.timestamps
    end
    create_table :orders do |t|
      t.references :user, null: false, foreign_key: true
      t.integer :total_cents, null: false
      t.timestamps
    end
    create_table :comments do |t|
      t.references :commentable, polymorphic: true, null: false
      t.text :body, null: false
      t.timestamps
    end
  end
end
