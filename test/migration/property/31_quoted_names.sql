-- property: quoted names everywhere: schema, table, key column, FK constraint, index, view with spaces, quotes and keywords
-- tables: ARRAY['"Sales Dept"."user"', '"Sales Dept"."Order ""Lines"""']::regclass[]
-- options: {}
CREATE SCHEMA "Sales Dept";
CREATE TABLE "Sales Dept"."user" ("order" integer PRIMARY KEY, "group" text);
CREATE TABLE "Sales Dept"."Order ""Lines""" ("Line ID" bigserial PRIMARY KEY, "Customer ID" int CONSTRAINT "FK to ""user""" REFERENCES "Sales Dept"."user", "select" text);
CREATE INDEX "Order Lines by Customer" ON "Sales Dept"."Order ""Lines""" ("Customer ID", "select");
CREATE VIEW "Sales Dept"."Big ""View""" AS SELECT u."order", count(o."Line ID") AS "Line Count"
  FROM "Sales Dept"."user" u LEFT JOIN "Sales Dept"."Order ""Lines""" o ON o."Customer ID" = u."order" GROUP BY u."order";
COMMENT ON COLUMN "Sales Dept"."user"."group" IS 'a keyword';
INSERT INTO "Sales Dept"."user" VALUES (1, 'g'), (2, NULL);
INSERT INTO "Sales Dept"."Order ""Lines""" ("Customer ID", "select") VALUES (1, 'x'), (2, 'y'), (NULL, 'z');
