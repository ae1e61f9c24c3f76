"""Write an Isso database with Isso itself (run by the Python of a venv holding Isso 0.14).

`python tests/isso_writer.py PATH`: the threads, comments, modes and votes test_import_isso.py
expects, through Isso's own database classes, as its web views would write them.
"""

import os
import sys

from isso import config
from isso.db import SQLite3

path = sys.argv[1]
conf = config.load(os.path.join(os.path.dirname(config.__file__), "isso.cfg"))
db = SQLite3(path, conf)


def add(uri, text, author=None, email=None, parent=None, mode=1, created=None):
    return db.comments.add(uri, {"text": text, "author": author, "email": email,
                                 "website": None, "parent": parent, "mode": mode,
                                 "remote_addr": "192.0.2.0", "created": created,
                                 "notification": 0})["id"]


db.threads.new("/2023/09/putin-kim/", "Putin and Kim: what the summit means")
db.threads.new("/2023/10/other", None)
first = add("/2023/09/putin-kim/", "First, with **Markdown** and <script>alert(1)</script>",
            "Ada Lovelace", "ada@example.org", created=1694596500.25)
reply = add("/2023/09/putin-kim/", "Grüße — 東京 🙂", "Zoë Ångström", "zoe@example.org",
            parent=first, created=1694600000.0)
# Isso flattens replies to replies onto the top-level comment itself.
add("/2023/09/putin-kim/", "A reply to the reply", None, None, parent=reply,
    created=1694601000.0)
add("/2023/09/putin-kim/", "Waiting for a moderator", "Walter", None, mode=2,
    created=1694602000.0)
gone = add("/2023/09/putin-kim/", "Deleted later, its reply stays", "Ada Lovelace",
           "ada@example.org", created=1694603000.0)
add("/2023/09/putin-kim/", "Reply to the deleted one", "Bob", "bob@example.org", parent=gone,
    created=1694604000.0)
db.comments.delete(gone)
db.comments.vote(True, first, "198.51.100.1")
db.comments.vote(True, first, "198.51.100.2")
db.comments.vote(False, first, "198.51.100.3")
other = add("/2023/10/other", "On the other article", "Ada Lovelace", "ada@example.org",
            created=1696150000.0)
# What databases of older Isso versions hold: a reply whose parent is on another article, and
# one whose parent row is gone.
elsewhere = add("/2023/09/putin-kim/", "My parent is on another article", "Bob",
                "bob@example.org", created=1696160000.0)
db.execute("UPDATE comments SET parent=? WHERE id=?", (other, elsewhere))
orphan = add("/2023/09/putin-kim/", "My parent is gone", "Bob", "bob@example.org",
             created=1696170000.0)
db.execute("UPDATE comments SET parent=999 WHERE id=?", (orphan,))
