"""The practical stage: reflections, assignments, the supervisors' inbox and replies, progress."""
