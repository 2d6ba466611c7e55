# test/frameworks/rails/orm_checks.rb — the ActiveRecord side of test/frameworks/rails.sh, through ActiveRecord only.
#   orm_checks.rb migrate [VERSION]   run the migrations of db/migrate (up to VERSION), as `rails db:migrate` does
#   orm_checks.rb fill STATE          users, orders, comments on both; a deleted user leaves a gap; the reads to STATE
#   orm_checks.rb trap STATE          after uuid7_migrate alone: no comment's commentable resolves (old bigint ids)
#   orm_checks.rb after STATE         reads as before, uuid v7 keys made by the database, joins, writes, every
#                                     polymorphic reference resolves, no pending migration
#   orm_checks.rb dump                print db/schema.rb
#   orm_checks.rb load SCHEMA         load a db/schema.rb, as `rails db:schema:load` does, then print the dump
# Prints "ok NAME" / "not ok NAME — WHY" lines (test/frameworks/lib.sh fw_results).
require "json"
require_relative "app"

def check(name, ok, why = "")
  puts(ok ? "ok #{name}" : "not ok #{name} — #{why}")
end

V7 = /\A\h{8}-\h{4}-7\h{3}-[89ab]\h{3}-\h{12}\z/

def reads
  User.includes(:orders, :comments).order(:email).map do |u|
    [u.name, u.email, u.orders.map(&:total_cents).sort.join(","), u.comments.map(&:body).sort.join(","),
     u.orders.flat_map { |o| o.comments.map(&:body) }.sort.join(",")].join("|")
  end
end

def resolves(comment)
  target = comment.commentable
  !target.nil? && comment.body.start_with?(target.is_a?(User) ? "on #{target.email}" : "on order #{target.total_cents}")
rescue StandardError
  false
end

case ARGV[0]
when "migrate"
  ActiveRecord::Migration.verbose = true
  migration_context.migrate(ARGV[1]&.to_i)
when "fill"
  (1..6).each do |i|
    u = User.create!(name: "User #{i}", email: "u#{i}@example.com")
    (i % 3 + 1).times { |j| u.orders.create!(total_cents: i * 100 + j) }
    u.comments.create!(body: "on #{u.email}")
    u.orders.first.comments.create!(body: "on order #{u.orders.first.total_cents}")
  end
  User.find_by!(email: "u3@example.com").destroy
  File.write(ARGV[1], JSON.dump("reads" => reads, "comments" => Comment.count,
                                "old_user_ids" => User.pluck(:email, :id).to_h))
  check("fill: users, orders, comments through ActiveRecord", User.count == 5 && Comment.count == 10,
        "#{User.count} users, #{Comment.count} comments")
  check("fill: the keys are integers", User.pluck(:id).all?(Integer))
when "trap"
  state = JSON.parse(File.read(ARGV[1]))
  ActiveRecord::Base.logger = nil
  comments = Comment.all.to_a
  check("trap: after uuid7_migrate alone, no comment's commentable resolves (commentable_id holds old bigint ids)",
        comments.size == state["comments"] && comments.none? { |c| resolves(c) },
        "#{comments.count { |c| resolves(c) }} of #{comments.size} resolve")
when "after"
  state = JSON.parse(File.read(ARGV[1]))
  check("reads: users with their orders and comments as before", reads == state["reads"],
        "#{reads} != #{state['reads']}")
  ids = User.pluck(:id) + Order.pluck(:id) + Comment.pluck(:id)
  check("keys: every key read through ActiveRecord is a uuid v7", !ids.empty? && ids.all? { |id| id.match?(V7) },
        ids.reject { |id| id.to_s.match?(V7) }.first(3).inspect)
  wrong = state["old_user_ids"].reject do |email, old|
    new_id = User.find_by!(email: email).id
    User.connection.select_value(
      "SELECT uuid7_mapped_id('users', #{Integer(old)}) = #{User.connection.quote(new_id)}::uuid " \
      "AND uuid7_legacy_id('users', #{User.connection.quote(new_id)}::uuid) = #{Integer(old)}"
    )
  end
  check("lookups: uuid7_mapped_id / uuid7_legacy_id map every old user id both ways", wrong.empty?, wrong.keys.inspect)
  by_new = User.order(:id).pluck(:email)
  by_old = state["old_user_ids"].sort_by { |_, old| old }.map(&:first)
  check("keys: ordering by the uuid key is the old key order", by_new == by_old, "#{by_new} != #{by_old}")
  comments = Comment.includes(:commentable).to_a
  check("polymorphic: every comment's commentable resolves to its user or order",
        comments.size == state["comments"] && comments.all? { |c| resolves(c) },
        comments.reject { |c| resolves(c) }.map(&:commentable_id).inspect)
  big = User.joins(:orders).where("orders.total_cents >= ?", 500).distinct.order(:email).pluck(:email)
  check("joins: users with an order of 500 or more (users JOIN orders)",
        big == ["u5@example.com", "u6@example.com"], big.inspect)
  on_orders = Comment.where(commentable_type: "Order").joins("JOIN orders ON orders.id = comments.commentable_id")
                     .joins("JOIN users ON users.id = orders.user_id").count
  check("joins: comments on orders through the polymorphic id to orders and users", on_orders == 5, on_orders.to_s)
  u = User.create!(name: "Newcomer", email: "new@example.com")
  o = u.orders.create!(total_cents: 42)
  c = o.comments.create!(body: "on order 42")
  check("writes: new rows get uuid v7 keys from DEFAULT uuid_generate_v7() (RETURNING)",
        [u.id, o.id, c.id].all? { |id| id.match?(V7) }, [u.id, o.id, c.id].inspect)
  check("writes: the new user is the latest by key", User.order(id: :desc).first.email == "new@example.com")
  check("writes: the new comment's commentable is the new order", Comment.find(c.id).commentable == o)
  o.update!(total_cents: 43)
  check("writes: update through ActiveRecord", Order.find(o.id).total_cents == 43)
  u.destroy
  check("writes: destroy cascades (dependent: :destroy) through ActiveRecord",
        !Order.exists?(o.id) && !Comment.exists?(c.id))
  ctx = migration_context
  check("framework check: no pending migration (needs_migration? false)", !ctx.needs_migration?)
  status = ctx.migrations_status.map { |s, v, n| "#{s} #{v} #{n}" }
  puts status
  check("framework check: every migration up", status.size == 3 && status.all? { |s| s.start_with?("up ") })
when "dump"
  schema_dump($stdout)
when "load"
  ActiveRecord::Schema.verbose = false
  load ARGV[1]
  schema_dump($stdout)
end
