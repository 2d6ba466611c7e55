-- property: row and statement triggers, a WHEN on other columns, a constraint trigger, a disabled trigger
-- tables: ARRAY['public.parent', 'public.child']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL, kind int NOT NULL DEFAULT 0);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text, amount numeric);
INSERT INTO parent (id, name, kind) VALUES (1, 'one', 1), (2, 'two', 2), (3, '', 0), (100, 'hundred', 3), (9223372036854775806, 'big', 1);
INSERT INTO child (p_id, note, amount) VALUES (1, 'a', 1.5), (1, NULL, 0), (2, 'b', -3), (NULL, 'orphan', NULL), (9223372036854775806, 'edge', 1e10);

CREATE TABLE log (at timestamptz DEFAULT now(), what text);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := coalesce(NEW.note, 'n/a'); RETURN NEW; END $$;
CREATE FUNCTION stmt_log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO log (what) VALUES (TG_OP); RETURN NULL; END $$;
CREATE TRIGGER child_touch BEFORE INSERT OR UPDATE ON child FOR EACH ROW WHEN (NEW.note IS DISTINCT FROM 'x') EXECUTE FUNCTION touch();
CREATE TRIGGER parent_stmt AFTER INSERT OR DELETE ON parent FOR EACH STATEMENT EXECUTE FUNCTION stmt_log();
CREATE CONSTRAINT TRIGGER child_check AFTER INSERT ON child DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION stmt_log();
CREATE TRIGGER child_off AFTER DELETE ON child FOR EACH ROW EXECUTE FUNCTION stmt_log();
ALTER TABLE child DISABLE TRIGGER child_off;
