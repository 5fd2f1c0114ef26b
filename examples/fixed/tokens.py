import hashlib
import os
import secrets
from urllib.parse import urlparse

import requests

PROFILE_HOSTS = {"profiles.example.com"}


def make_reset_token():
    return secrets.token_urlsafe(24)


def hash_password(password, salt=None):
    salt = salt or os.urandom(16)
    return salt, hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)


def fetch_profile(url):
    parsed = urlparse(url)
    if parsed.scheme != "https" or parsed.hostname not in PROFILE_HOSTS:
        raise ValueError("profile URL must be https on an allowed host")
    return requests.get(url, timeout=10, auth=("admin", os.environ["API_PASSWORD"])).json()
