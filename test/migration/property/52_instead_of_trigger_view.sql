-- property: an updatable view with an INSTEAD OF trigger over the converted columns, a view grant
-- tables: ARRAY['public.parent', 'public.child']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL, kind int NOT NULL DEFAULT 0);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text, amount numeric);
INSERT INTO parent (id, name, kind) VALUES (1, 'one', 1), (2, 'two', 2), (3, '', 0), (100, 'hundred', 3), (9223372036854775806, 'big', 1);
INSERT INTO child (p_id, note, amount) VALUES (1, 'a', 1.5), (1, NULL, 0), (2, 'b', -3), (NULL, 'orphan', NULL), (9223372036854775806, 'edge', 1e10);

CREATE VIEW v_child AS SELECT c.id, c.p_id, c.note FROM child c JOIN parent p ON p.id = c.p_id;
CREATE FUNCTION v_child_ins() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO child (p_id, note) VALUES (NEW.p_id, NEW.note); RETURN NEW; END $$;
CREATE TRIGGER v_child_ins INSTEAD OF INSERT ON v_child FOR EACH ROW EXECUTE FUNCTION v_child_ins();
GRANT SELECT ON v_child TO uuid7_prop_reader;
