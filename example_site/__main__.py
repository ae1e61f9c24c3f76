"""`python -m example_site`: the news site and the comment server on two origins, one command.

The article is served from http://127.0.0.1:5000 and the comments from http://localhost:5001,
two different sites to the browser, exactly as when a newspaper embeds a comment server it
hosts elsewhere.
"""

from __future__ import annotations

import argparse
import os
import secrets
import threading
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

from comments_widget.server import create_app as create_comment_server
from example_site.app import create_news_app
from example_site.mail_sink import start_mail_sink

DEMO_ADMIN_EMAIL = "editor@example.org"


def ensure_demo_admin(comment_app: Flask, instance: Path) -> tuple[str, str]:
    """An admin account for trying the dashboard, with a password generated on first run.

    The password is kept in the instance folder (never in the repository), mode 0600.
    """
    from comments_widget.services import community, readers

    password_file = instance / "demo_admin_password"
    state = comment_app.extensions["comments_widget"]
    with state.session_factory() as session:
        if readers.find_reader_by_email(session, DEMO_ADMIN_EMAIL) is None:
            password = secrets.token_urlsafe(9)
            community.ensure_admin(session, DEMO_ADMIN_EMAIL, "Editor", password)
            session.commit()
            fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(password)
    password = (password_file.read_text().strip() if password_file.exists()
                else "(the one you set)")
    return DEMO_ADMIN_EMAIL, password


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-port", type=int, default=5000)
    parser.add_argument("--comments-port", type=int, default=5001)
    parser.add_argument("--instance", default=str(Path("instance").resolve()),
                        help="where the SQLite database and secret key are kept")
    args = parser.parse_args()

    site_origin = f"http://127.0.0.1:{args.site_port}"
    comments_origin = f"http://localhost:{args.comments_port}"
    environ = dict(os.environ)
    environ.setdefault("COMMENTS_WIDGET_ALLOWED_ORIGINS", site_origin)
    environ.setdefault("COMMENTS_WIDGET_INSTANCE_PATH", args.instance)
    # A newcomer comments at once; set it to try verification (the mail catcher shows the link).
    environ.setdefault("COMMENTS_WIDGET_EMAIL_VERIFICATION", "off")
    # What the login popup and the emails call the site.
    environ.setdefault("COMMENTS_WIDGET_SITE_NAME", "The Daily Example")
    sink = None
    if not environ.get("COMMENTS_WIDGET_SMTP_HOST"):
        sink, port = start_mail_sink()
        environ.update(COMMENTS_WIDGET_SMTP_HOST="127.0.0.1", COMMENTS_WIDGET_SMTP_PORT=str(port))
    comment_app = create_comment_server(environ)
    admin_email, admin_password = ensure_demo_admin(comment_app, Path(args.instance))
    comment_server = make_server("127.0.0.1", args.comments_port, comment_app, threaded=True)
    news_site = make_server("127.0.0.1", args.site_port, create_news_app(comments_origin),
                            threaded=True)
    threading.Thread(target=comment_server.serve_forever, daemon=True).start()
    print(f"Comment server: {comments_origin}/comments/login  (data in {args.instance})")
    print(f"News site:      {site_origin}/   — open this one")
    print(f"Dashboard:      {comments_origin}/comments/admin/  "
          f"(log in as {admin_email} / {admin_password})")
    if sink is not None:
        print("Emails (password resets):  printed here, by a local mail catcher; set "
              "COMMENTS_WIDGET_SMTP_HOST/PORT to send them for real.")
    else:
        print(f"Emails: sent through {environ['COMMENTS_WIDGET_SMTP_HOST']}")
    print("Press Ctrl+C to stop.")
    try:
        news_site.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        comment_server.shutdown()
        if sink is not None:
            sink.stop()


if __name__ == "__main__":
    main()
