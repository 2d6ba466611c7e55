#!/usr/bin/env bash
# test/migration/views.sh — views and a materialized view on the key and on a converted FK column (a view on a
# view too), with options (security_barrier, check_option), owners, grants, comments; column comments and column
# grants on the key. All must come back identical after the migration (lib.sh compares pg_get_viewdef, options,
# owner, ACL, comments), and keep working for the roles that use them.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

mig_db views
mig_role mig_view_owner; owner=$MIG_ROLE
mig_role mig_reader; reader=$MIG_ROLE

mig_setup <<SQL
CREATE TABLE articles (id serial PRIMARY KEY, author text NOT NULL, title text NOT NULL, published_at timestamptz NOT NULL);
COMMENT ON COLUMN articles.id IS 'article key';
COMMENT ON COLUMN articles.title IS 'headline';
GRANT SELECT (id, title, published_at), UPDATE (title) ON articles TO "$reader";
GRANT SELECT ON articles TO "$owner";
CREATE TABLE article_tags (article_id int REFERENCES articles ON DELETE CASCADE, tag text, PRIMARY KEY (article_id, tag));
COMMENT ON COLUMN article_tags.article_id IS 'tagged article';
GRANT SELECT ON article_tags TO "$owner";
GRANT SELECT (article_id) ON article_tags TO "$reader";
INSERT INTO articles (id, author, title, published_at)
SELECT g * 4, 'author ' || (g % 17), (ARRAY['alpha', 'beta', 'gamma'])[1 + g % 3] || ' ' || g, '2024-01-01'::timestamptz + g * interval '1 hour'
FROM generate_series(1, 3000) g ORDER BY md5(g::text);
INSERT INTO article_tags SELECT a.id, 'tag' || t FROM articles a, generate_series(1, 3) t WHERE (a.id / 4 + t) % 2 = 0;

CREATE VIEW recent_articles WITH (security_barrier = true) AS
	SELECT id, title, published_at FROM articles WHERE published_at > '2024-03-01';
ALTER VIEW recent_articles OWNER TO "$owner";
GRANT SELECT ON recent_articles TO "$reader";
COMMENT ON VIEW recent_articles IS 'articles of the last months';
COMMENT ON COLUMN recent_articles.id IS 'key, as in articles';
CREATE VIEW alpha_recent AS SELECT id, title FROM recent_articles WHERE title LIKE 'alpha%';
ALTER VIEW alpha_recent OWNER TO "$owner";
GRANT SELECT ON alpha_recent TO "$reader";
CREATE VIEW tag_counts AS
	SELECT a.id, a.title, count(t.tag) AS tags FROM articles a LEFT JOIN article_tags t ON t.article_id = a.id GROUP BY a.id, a.title;
CREATE VIEW author_x WITH (check_option = local) AS SELECT id, author, title, published_at FROM articles WHERE author = 'author 1';
CREATE MATERIALIZED VIEW article_stats WITH (fillfactor = 90) AS
	SELECT a.id, count(*) AS n FROM articles a JOIN article_tags t ON t.article_id = a.id GROUP BY a.id;
CREATE UNIQUE INDEX article_stats_id ON article_stats (id);
ALTER MATERIALIZED VIEW article_stats OWNER TO "$owner";
GRANT SELECT ON article_stats TO "$reader";
COMMENT ON MATERIALIZED VIEW article_stats IS 'tags per article';
CREATE MATERIALIZED VIEW unpopulated_stats AS SELECT article_id, count(*) FROM article_tags GROUP BY article_id WITH NO DATA;
SQL

tables="ARRAY['public.articles']::regclass[]"
before_stats=$(sql "SELECT md5(string_agg(id || ':' || n, ',' ORDER BY id)) FROM article_stats")
before_reader=$(psql -X -A -t -q -c "SET ROLE \"$reader\"" -c "SELECT count(*), count(DISTINCT title) FROM recent_articles" 2>&1)
check_eq "plan lists no refusal" "" "$(mig_plan_refusals "$tables")"
mig_snapshot "$tables"
mig_migrate "uuid7_migrate(articles) with five views and two matviews on it succeeds" "$tables"
mig_check_all

check_eq "view columns on the key are uuid now" "uuid|uuid|uuid|uuid|uuid|uuid" \
	"$(sql "SELECT string_agg(format_type(atttypid, atttypmod), '|' ORDER BY attrelid::regclass::text) FROM pg_attribute
		WHERE attname IN ('id', 'article_id') AND attrelid IN ('recent_articles'::regclass, 'alpha_recent'::regclass, 'tag_counts'::regclass,
			'author_x'::regclass, 'article_stats'::regclass, 'unpopulated_stats'::regclass)")"
check_eq "materialized view holds the same rows as its query" "0|0" \
	"$(sql "SELECT (SELECT count(*) FROM (TABLE article_stats EXCEPT ALL SELECT a.id, count(*) FROM articles a JOIN article_tags t ON t.article_id = a.id GROUP BY a.id) x),
		(SELECT count(*) FROM (SELECT a.id, count(*) FROM articles a JOIN article_tags t ON t.article_id = a.id GROUP BY a.id EXCEPT ALL TABLE article_stats) y)")"
check_eq "materialized view rows are the old rows through the mapping" "$before_stats" \
	"$(sql "SELECT md5(string_agg(uuid7_legacy_id('articles', id) || ':' || n, ',' ORDER BY uuid7_legacy_id('articles', id))) FROM article_stats")"
check_eq "REFRESH MATERIALIZED VIEW CONCURRENTLY works (unique index rebuilt)" "" \
	"$(sql "REFRESH MATERIALIZED VIEW CONCURRENTLY article_stats" 2>&1)"
check_eq "reader sees the same rows through the views" "$before_reader" \
	"$(psql -X -A -t -q -c "SET ROLE \"$reader\"" -c "SELECT count(*), count(DISTINCT title) FROM recent_articles" 2>&1)"
check_eq "reader's column grants moved with the key" "3000" \
	"$(psql -X -A -t -q -c "SET ROLE \"$reader\"" -c "SELECT count(id) FROM articles" 2>&1)"
check_sqlstate "reader still has no grant on articles.author" 42501 "SET ROLE \"$reader\"; SELECT author FROM articles"
check_sqlstate "check_option still enforced" 44000 "INSERT INTO author_x (author, title, published_at) VALUES ('someone else', 't', now())"
check_eq "insert through the auto-updatable view gets a v7 key" "7" \
	"$(sql "INSERT INTO author_x (author, title, published_at) VALUES ('author 1', 't', now()) RETURNING substr(id::text, 15, 1)")"
