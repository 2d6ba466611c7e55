-- property: GENERATED ALWAYS AS IDENTITY with START/INCREMENT, bigint maximum key
-- tables: ARRAY['public.k_always']::regclass[]
-- options: {}
CREATE TABLE k_always (id bigint GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 3) PRIMARY KEY, v text);
INSERT INTO k_always (v) VALUES ('a'), ('b'), (NULL);
INSERT INTO k_always (id, v) OVERRIDING SYSTEM VALUE VALUES (9223372036854775807, 'max'), (-9223372036854775808, 'min');
