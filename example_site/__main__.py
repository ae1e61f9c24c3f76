"""`python -m example_site`: the news site and the comment server on two origins, one command.

The article is served from http://127.0.0.1:5000 and the comments from http://localhost:5001,
two different sites to the browser, exactly as when a newspaper embeds a comment server it
hosts elsewhere.
"""

from __future__ import annotations

import argparse
import os
import threading
from pathlib import Path

from werkzeug.serving import make_server

from comments_widget.server import create_app as create_comment_server
from example_site.app import create_news_app


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
    comment_server = make_server("127.0.0.1", args.comments_port,
                                 create_comment_server(environ), threaded=True)
    news_site = make_server("127.0.0.1", args.site_port, create_news_app(comments_origin),
                            threaded=True)
    threading.Thread(target=comment_server.serve_forever, daemon=True).start()
    print(f"Comment server: {comments_origin}/comments/login  (data in {args.instance})")
    print(f"News site:      {site_origin}/   — open this one")
    print("Press Ctrl+C to stop.")
    try:
        news_site.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        comment_server.shutdown()


if __name__ == "__main__":
    main()
