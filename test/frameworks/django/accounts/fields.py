# accounts/fields.py — a uuid primary key whose value the database makes (DEFAULT uuid_generate_v7()).
#
# Django leaves the "auto field" out of an INSERT and reads it back with RETURNING; any other primary key is sent,
# NULL included. AutoFieldMixin gives a UUIDField that behaviour on every Django from 3.2 on (Django 5.0 and later
# can also say UUIDField(primary_key=True, db_default=...)). Foreign keys to it are uuid columns.
from django.db import models
from django.db.models.fields import AutoFieldMixin


class UUID7AutoField(AutoFieldMixin, models.UUIDField):
    pass
