"""comments_widget: an embeddable comment-and-login plugin for news sites."""

from comments_widget.extension import CommentsWidget
from comments_widget.services.external import Author

__all__ = ["Author", "CommentsWidget"]
