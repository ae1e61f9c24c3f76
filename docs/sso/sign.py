"""Sign a reader in to the comments, from a news site's server (Python 3, standard library).

    python sign.py SECRET USER_ID "Display Name" [email]   # prints a payload

In a real site, call `comments_sso_payload(...)` while rendering a page for a logged-in user
and put the result on the embed: <div id="comments" data-comments-sso="{{ payload }}">.
"""

import base64
import hashlib
import hmac
import json
import secrets
import sys
import time


def comments_sso_payload(secret: str, user_id: str, name: str, email: str = "") -> str:
    claims = {"id": user_id, "name": name, "email": email,
              "exp": int(time.time()) + 300, "nonce": secrets.token_urlsafe(24)}
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    signature = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{signature}"


if __name__ == "__main__":
    print(comments_sso_payload(*sys.argv[1:5]))
