"""Every session-state key the app uses, in one place. streamlit-authenticator owns the first group."""

# written by streamlit-authenticator
AUTH_STATUS = "authentication_status"
USERNAME = "username"
STAUTH_LOGOUT = "logout"
STAUTH_KEYS = ("name", "username", "authentication_status", "email", "roles")

# ours
LOGIN_AT = "cs_login_at"            # naive-UTC datetime this session was issued (form login or cookie)
LANGUAGE = "cs_language"            # chosen on the login page, before anyone is known; written only through
                                    # runtime.set_language (a run reads it once)
LANGUAGE_CHOSEN = "cs_language_chosen"  # the person picked it on the login page: saved to the account at login
LOGGING_OUT = "cs_logging_out"      # the logout button was pressed; the next run lets stauth clear the cookie
NOTICE = "cs_notice"                # one message (catalogue key) to show on the next run
CURRENT_PAGE = "cs_page"            # url path of the screen this run draws
PREVIOUS_PAGE = "cs_previous_page"  # ... and of the one the run before drew
COOKIE_REISSUE = "cs_cookie_reissue"  # until when (monotonic) a reissued login cookie is drawn again (ui/login.py)
MUST_CHANGE_PASSWORD = "cs_must_change_password"  # noqa: S105 (a key name, not a password); an admin handed this person a one-time password
IMPORT_PASSWORDS = "cs_import_passwords"    # one-time passwords of the accounts an import just created
IMPORT_PASSWORDS_TAKEN = "cs_import_passwords_taken"  # their CSV was downloaded (its one time): what the notice says
ADMIN_BACKUP = "cs_admin_backup"    # (file name, encrypted ZIP) prepared on /admin, until downloaded once
ADMIN_BACKUP_TAKEN = "cs_admin_backup_taken"  # ... and downloaded
CLOSING_NOTICE = "cs_closing_notice"  # (catalogue key, params) of a recorded decision or workshop change, shown once
COHORT_OPENS_ON = "cs_cohort_opens_on"  # the /cohort tab this session's first visit opened on (fixed: see the page)
SETUP_PENDING = "cs_setup_pending"  # (cohort id, CohortSetup, later stages moved) of a /setup edit to confirm
BEFORE_STAGE = "cs_before_stage"  # (place, save, done, BeforeStage) of an entry made before its stage, until confirmed
SHOWN_ITEM = "cs_shown_item"        # per screen, the item its last run showed (ui/scroll.py: a new one starts on top)
SCROLLS = "cs_scrolls"              # how many times this session was sent to the top (a fresh component each time)
TITLE_FOCUS = "cs_title_focus"      # when this session logged in by the form: its first screen focuses its title

# what belongs to one screen (key -> its address): the router drops it as soon as it draws another screen, so a
# download offered there is gone from the session, and then from Streamlit's media store (ui/downloads.py)
PAGE_BOUND = {IMPORT_PASSWORDS: "imports", IMPORT_PASSWORDS_TAKEN: "imports", ADMIN_BACKUP: "admin",
              ADMIN_BACKUP_TAKEN: "admin"}
