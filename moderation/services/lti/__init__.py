"""LTI 1.3 Advantage over the pure `moderation.lti`: platforms, keys, launch, provision,
accounts, the LMS's HTTP, score passback, roster and its sync."""
