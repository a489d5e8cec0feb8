"""The programme: its curriculum (a data file shipped in curricula/), cohorts and their calendars, people and
logins, enrolments and caseloads."""
