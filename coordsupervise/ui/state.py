"""Every session-state key the app uses, in one place. streamlit-authenticator owns the first group."""

# written by streamlit-authenticator
AUTH_STATUS = "authentication_status"
USERNAME = "username"
STAUTH_LOGOUT = "logout"
STAUTH_KEYS = ("name", "username", "authentication_status", "email", "roles")

# ours
LOGIN_AT = "cs_login_at"            # naive-UTC datetime this session was issued (form login or cookie)
LANGUAGE = "cs_language"            # chosen on the login page, before anyone is known
LANGUAGE_CHOSEN = "cs_language_chosen"  # the person picked it on the login page: saved to the account at login
LOGGING_OUT = "cs_logging_out"      # the logout button was pressed; the next run lets stauth clear the cookie
NOTICE = "cs_notice"                # one message (catalogue key) to show on the next run
CURRENT_PAGE = "cs_page"            # url path of the screen this run draws
PREVIOUS_PAGE = "cs_previous_page"  # ... and of the one the run before drew
MUST_CHANGE_PASSWORD = "cs_must_change_password"  # noqa: S105 (a key name, not a password); an admin handed this person a one-time password
IMPORT_PASSWORDS = "cs_import_passwords"    # one-time passwords of the accounts an import just created
CLOSING_NOTICE = "cs_closing_notice"  # (catalogue key, params) of a recorded decision or workshop change, shown once
COHORT_OPENS_ON = "cs_cohort_opens_on"  # the /cohort tab this session's first visit opened on (fixed: see the page)
SETUP_PENDING = "cs_setup_pending"  # (cohort id, CohortSetup, later stages moved) of a /setup edit to confirm
BEFORE_STAGE = "cs_before_stage"  # (place, save, done, BeforeStage) of an entry made before its stage, until confirmed
