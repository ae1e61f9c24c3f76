"""`python -m comments_widget …`, the same as the `comments-widget` command."""

from comments_widget.server import main

main()
