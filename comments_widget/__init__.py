"""comments_widget: an embeddable comment-and-login plugin for news sites."""

from comments_widget.extension import CommentsWidget

__all__ = ["CommentsWidget"]
