-- property: CHECKs on other columns, CHECK (from <> to) and (from < to) over two converted columns, NOT VALID CHECK
-- tables: ARRAY['public.steps']::regclass[]
-- options: {}
CREATE TABLE steps (id bigserial PRIMARY KEY, name text NOT NULL CHECK (name <> ''), weight int CHECK (weight BETWEEN 0 AND 100));
CREATE TABLE transitions (id bigserial PRIMARY KEY, from_step_id bigint NOT NULL REFERENCES steps, to_step_id bigint REFERENCES steps,
  CONSTRAINT transitions_moves CHECK (from_step_id <> to_step_id),
  CONSTRAINT transitions_forward CHECK (to_step_id IS NULL OR from_step_id < to_step_id));
INSERT INTO steps (name, weight) VALUES ('a', 0), ('b', 100), ('c', NULL);
INSERT INTO transitions (from_step_id, to_step_id) VALUES (1, 2), (2, 3), (1, NULL);
ALTER TABLE steps ADD CONSTRAINT steps_short CHECK (length(name) < 10) NOT VALID;
