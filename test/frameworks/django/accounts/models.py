# accounts/models.py — a custom user with a profile, tokens and social accounts. The `id = UUID7AutoField(...)` lines
# are the model change of the recipe: without them (the state before the migration) every key is a BigAutoField.
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from .fields import UUID7AutoField


class User(AbstractUser):
    id = UUID7AutoField(primary_key=True, editable=False)


class Profile(models.Model):
    id = UUID7AutoField(primary_key=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    bio = models.TextField(blank=True)


class Token(models.Model):
    id = UUID7AutoField(primary_key=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tokens")
    key = models.CharField(max_length=40, unique=True)
    created = models.DateTimeField(auto_now_add=True)


class SocialAccount(models.Model):
    id = UUID7AutoField(primary_key=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_accounts")
    provider = models.CharField(max_length=30)
    uid = models.CharField(max_length=191)

    class Meta:
        unique_together = [("provider", "uid")]
