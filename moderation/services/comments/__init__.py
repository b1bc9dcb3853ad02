"""The life of a comment: posted, checked, indexed, decided, revised, rescored, queued."""
