"""The ceiling: a bare Flask endpoint returning a fixed JSON payload of a given size.

    CEILING_BYTES=5000 gunicorn -w 2 'bench.ceiling_app:app'
"""

from __future__ import annotations

import json
import os

from flask import Flask, Response

app = Flask(__name__)
_size = int(os.environ.get("CEILING_BYTES", "5000"))
_overhead = len(json.dumps({"data": ""}))
PAYLOAD = json.dumps({"data": "x" * max(_size - _overhead, 0)})


@app.get("/")
def payload() -> Response:
    """The same bytes every time, with no database and no logic: what Python can serve."""
    return Response(PAYLOAD, mimetype="application/json")
