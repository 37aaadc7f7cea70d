"""Widgets the screens share: the live leaderboard and the score-against-latency chart."""
