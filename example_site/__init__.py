"""An example news site that embeds comments_widget the way a site owner would."""
