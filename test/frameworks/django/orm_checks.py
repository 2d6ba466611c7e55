# test/frameworks/django/orm_checks.py — the Django side of test/frameworks/django.sh, through the ORM only.
#   orm_checks.py fill STATE   make users with profiles, tokens, social accounts and admin log entries (a deleted user
#                              leaves a gap); write what the ORM reads and the old keys to STATE (json)
#   orm_checks.py trap STATE   after the keys' migration, before the generic-reference step: the admin log's
#                              object_id still holds old integer keys, so none resolves
#   orm_checks.py after STATE  reads equal the ones before, keys are uuid v7 made by the database, old keys map to
#                              them, joins, writes, every admin log entry resolves to its object
#   orm_checks.py write -      a user and a token written in a database built from the migrations alone
# Prints "ok NAME" / "not ok NAME — WHY" lines (test/frameworks/lib.sh fw_results).
import json
import os
import sys
import uuid

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
django.setup()

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import Profile, SocialAccount, Token, User  # noqa: E402


def check(name, ok, why=""):
    print(f"ok {name}" if ok else f"not ok {name} — {why}")


def reads():
    """What the application sees, keys aside (they change)."""
    out = []
    for u in User.objects.select_related("profile").prefetch_related("tokens", "social_accounts").order_by("username"):
        out.append("|".join([u.username, u.email, u.profile.bio,
                             ",".join(sorted(t.key for t in u.tokens.all())),
                             ",".join(sorted(f"{s.provider}:{s.uid}" for s in u.social_accounts.all()))]))
    return out


def fill(path):
    admin = User.objects.create_superuser("admin", "admin@example.com", "x")
    Profile.objects.create(user=admin, bio="runs the place")
    users = []
    for i in range(1, 7):
        u = User.objects.create_user(f"user{i}", f"user{i}@example.com", "x")
        Profile.objects.create(user=u, bio=f"bio {i}")
        for j in range(i % 3 + 1):
            Token.objects.create(user=u, key=f"tok-{i}-{j}")
        SocialAccount.objects.create(user=u, provider="github", uid=f"gh{i}")
        if i % 2 == 0:
            SocialAccount.objects.create(user=u, provider="google", uid=f"go{i}")
        users.append(u)
    User.objects.get(username="user3").delete()  # a gap in the keys (and its profile, tokens, accounts)
    users = [u for u in users if u.username != "user3"]
    ct_user = ContentType.objects.get_for_model(User)
    ct_token = ContentType.objects.get_for_model(Token)
    for u in users:
        LogEntry.objects.create(user=admin, content_type=ct_user, object_id=str(u.pk), object_repr=str(u),
                                action_flag=ADDITION)
    for t in Token.objects.filter(user__username="user5"):
        LogEntry.objects.create(user=admin, content_type=ct_token, object_id=str(t.pk), object_repr=t.key,
                                action_flag=CHANGE)
    state = {
        "reads": reads(),
        "old_user_ids": {u.username: u.pk for u in User.objects.all()},
        "old_token_ids": {t.key: t.pk for t in Token.objects.all()},
        "log_entries": LogEntry.objects.count(),
    }
    with open(path, "w") as f:
        json.dump(state, f)
    check("fill: users, profiles, tokens, social accounts, admin log through the ORM",
          User.objects.count() == 6 and LogEntry.objects.count() == 8,
          f"{User.objects.count()} users, {LogEntry.objects.count()} log entries")
    check("fill: the keys are integers", all(isinstance(pk, int) for pk in User.objects.values_list("pk", flat=True)))


def resolves(entry):
    try:
        obj = entry.get_edited_object()
    except Exception:  # noqa: BLE001 — ValidationError for "5" as a uuid, DoesNotExist for a lost one
        return False
    return str(obj) == entry.object_repr or getattr(obj, "key", None) == entry.object_repr


def trap(path):
    state = json.load(open(path))
    entries = list(LogEntry.objects.all())
    check("trap: after uuid7_migrate alone, no admin log entry resolves (object_id holds old integer keys)",
          len(entries) == state["log_entries"] and not any(resolves(e) for e in entries),
          f"{sum(resolves(e) for e in entries)} of {len(entries)} resolve")


def is_v7(value):
    return isinstance(value, uuid.UUID) and value.version == 7


def after(path):
    state = json.load(open(path))
    check("reads: every user with profile, tokens and social accounts as before", reads() == state["reads"],
          f"{reads()} != {state['reads']}")
    pks = [pk for model in (User, Profile, Token, SocialAccount) for pk in model.objects.values_list("pk", flat=True)]
    check("keys: every key read through the ORM is a uuid v7", pks and all(is_v7(pk) for pk in pks),
          f"{[pk for pk in pks if not is_v7(pk)][:3]}")
    with connection.cursor() as cur:
        wrong = []
        for username, old in state["old_user_ids"].items():
            cur.execute("SELECT uuid7_mapped_id('accounts_user', %s), uuid7_legacy_id('accounts_user', %s)",
                        [old, User.objects.get(username=username).pk])
            new, back = cur.fetchone()
            if new != User.objects.get(username=username).pk or back != old:
                wrong.append(username)
        check("lookups: uuid7_mapped_id / uuid7_legacy_id map every old user id both ways", not wrong, f"{wrong}")
        by_new = [u.username for u in User.objects.order_by("pk")]
        by_old = sorted(state["old_user_ids"], key=state["old_user_ids"].get)
        check("keys: ordering by the uuid key is the old key order", by_new == by_old, f"{by_new} != {by_old}")
    # joins, both ways, through the ORM
    tokens = Token.objects.filter(user__social_accounts__provider="google").values_list("key", flat=True)
    check("joins: tokens of users with a google account (token -> user -> social account)",
          sorted(set(tokens)) == ["tok-2-0", "tok-2-1", "tok-2-2", "tok-4-0", "tok-4-1", "tok-6-0"], f"{sorted(tokens)}")
    u5 = User.objects.select_related("profile").get(tokens__key="tok-5-0")
    check("joins: user and profile by a token (select_related)", u5.username == "user5" and u5.profile.bio == "bio 5")
    # writes: the database makes the keys
    new = User.objects.create_user("newcomer", "new@example.com", "x")
    prof = Profile.objects.create(user=new, bio="fresh")
    tok = Token.objects.create(user=new, key="tok-new")
    check("writes: new rows get uuid v7 keys from DEFAULT uuid_generate_v7() (RETURNING)",
          all(is_v7(o.pk) for o in (new, prof, tok)), f"{new.pk!r} {prof.pk!r} {tok.pk!r}")
    check("writes: the new user is the latest by key", User.objects.order_by("-pk").first().username == "newcomer")
    new.groups.create(name="staff")
    check("writes: the user's m2m table (accounts_user_groups.user_id, converted) takes the new user",
          User.objects.filter(groups__name="staff").get() == new)
    Token.objects.filter(user=new).update(key="tok-new-2")
    check("writes: update and delete through the ORM", Token.objects.get(user=new).key == "tok-new-2")
    new.delete()
    check("writes: delete cascades through the ORM", not Profile.objects.filter(bio="fresh").exists()
          and not Token.objects.filter(key="tok-new-2").exists())
    entries = list(LogEntry.objects.select_related("content_type", "user"))
    check("generic references: every admin log entry resolves to its object (get_edited_object)",
          len(entries) == state["log_entries"] and all(resolves(e) for e in entries),
          f"{[e.object_id for e in entries if not resolves(e)]}")
    check("admin log: its user_id (a foreign key, converted) joins the admin user",
          all(e.user.username == "admin" for e in entries))


def write(_):
    u = User.objects.create_user("first", "first@example.com", "x")
    t = Token.objects.create(user=u, key="tok-first")
    check("replay: a user and a token written through the ORM get uuid v7 keys", is_v7(u.pk) and is_v7(t.pk),
          f"{u.pk!r} {t.pk!r}")


{"fill": fill, "trap": trap, "after": after, "write": write}[sys.argv[1]](sys.argv[2])
