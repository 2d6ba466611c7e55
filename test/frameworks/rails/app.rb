# test/frameworks/rails/app.rb — ActiveRecord without Rails: the connection (the harness' PGHOST, PGPORT, PGUSER,
# PGDATABASE), the migrations of db/migrate, the models.
require "active_record"

ActiveRecord::Base.establish_connection(
  adapter: "postgresql", host: ENV["PGHOST"], port: ENV["PGPORT"], username: ENV["PGUSER"], database: ENV["PGDATABASE"]
)

MIGRATIONS = File.join(__dir__, "db/migrate")

def migration_context
  if ActiveRecord::VERSION::MAJOR >= 7
    ActiveRecord::MigrationContext.new(MIGRATIONS)
  else
    ActiveRecord::MigrationContext.new(MIGRATIONS, ActiveRecord::SchemaMigration)
  end
end

# db/schema.rb leaves out the extension's own tables (uuid7_migrated_table, uuid7_online_*: ActiveRecord would dump
# them as application tables, some not at all for their regclass columns, then fail to load its add_foreign_key lines)
# and the key mappings (a fresh database has no old keys to map). In a Rails app: config/initializers/uuid7.rb.
ActiveRecord::SchemaDumper.ignore_tables = [/\Auuid7_/, /_uuid7_map\z/]

# db/schema.rb as `rails db:schema:dump` writes it
def schema_dump(io)
  if ActiveRecord::VERSION::STRING >= "7.2"
    ActiveRecord::SchemaDumper.dump(ActiveRecord::Base.connection_pool, io)
  else
    ActiveRecord::SchemaDumper.dump(ActiveRecord::Base.connection, io)
  end
end

class User < ActiveRecord::Base
  has_many :orders, dependent: :destroy
  has_many :comments, as: :commentable, dependent: :destroy
end

class Order < ActiveRecord::Base
  belongs_to :user
  has_many :comments, as: :commentable, dependent: :destroy
end

class Comment < ActiveRecord::Base
  belongs_to :commentable, polymorphic: true
end
