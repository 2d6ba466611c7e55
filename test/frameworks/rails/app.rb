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

# No ignore_tables: the extension's own tables live in schema uuid7_state and the key mappings in uuid7_mapping
# (uuid7 2.0), outside the search path that db/schema.rb dumps.

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
