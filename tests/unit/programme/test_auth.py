"""Passwords, throttling and session revocation."""
from datetime import timedelta
from pathlib import Path

import pytest

from coordsupervise.access import Actor
from coordsupervise.clock import real_now_utc
from coordsupervise.errors import AccessDenied, InvalidInput
from coordsupervise.programme import auth
from coordsupervise.text.textnorm import name_matches

ADMIN = Actor(0, "root", "root", frozenset({"admin"}))


def make_user(db, name="sato", password="正しい馬のバッテリー留め金", roles=("trainee",)):
    pw_hash = auth.hash_password(password)
    return db.write(auth.insert_user, name, "佐藤 花子", pw_hash, roles)


def test_password_is_hashed_with_bcrypt_and_verifies(db):
    make_user(db)
    user = auth.load_login_user(db, "sato")
    assert user.password_hash.startswith("$2b$")
    assert "正しい" not in user.password_hash
    assert auth.verify_password("正しい馬のバッテリー留め金", user.password_hash)
    assert not auth.verify_password("違うパスワードです12345", user.password_hash)


def test_a_fresh_process_hashes_at_the_apps_cost():
    """The suite hashes its own accounts cheaply (tests/conftest.py); the app, in a process of its own, does not."""
    import subprocess
    import sys

    made = subprocess.run(
        [sys.executable, "-c",
         "from coordsupervise.programme.auth import hash_password; print(hash_password('x' * 12))"],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[3]).stdout.strip()
    assert made.startswith("$2b$12$") and auth.verify_password("x" * 12, made)


@pytest.mark.parametrize("password, key", [
    ("short", "password.too_short"),
    ("あ" * 11, "password.too_short"),
    ("あ" * 25, "password.too_long"),  # 75 bytes in UTF-8
    (" leading-space-pass", "password.edge_spaces"),
])
def test_password_rules_give_clear_reasons(password, key):
    assert key in [p.key for p in auth.password_problems(password)]


def test_japanese_passphrase_without_character_classes_is_accepted():
    assert auth.password_problems("すもももももももものうち") == []
    assert auth.password_problems("aaaaaaaaaaaa") == []


def test_overlong_password_never_crashes_verification(db):
    make_user(db)
    user = auth.load_login_user(db, "sato")
    assert auth.verify_password("長" * 100, user.password_hash) is False
    with pytest.raises(InvalidInput) as err:
        auth.hash_password("長" * 100)
    assert err.value.key == "password.too_long"


def test_usernames_are_width_and_case_insensitive(db):
    make_user(db, name="Sato")
    assert auth.load_login_user(db, "ＳＡＴＯ").username == "sato"


def test_throttle_after_five_failures_then_released(db):
    now = real_now_utc()
    for i in range(4):
        auth.record_login_failure(db, "sato", now - timedelta(minutes=5 - i))
    assert auth.throttle_wait(db, "sato", now) is None
    auth.record_login_failure(db, "sato", now)
    wait = auth.throttle_wait(db, "sato", now)
    assert wait is not None and timedelta(minutes=14) < wait <= timedelta(minutes=15)
    with pytest.raises(auth.LoginThrottled):
        auth.check_not_throttled(db, "sato", now)
    # never permanent: 15 minutes later it is free again
    assert auth.throttle_wait(db, "sato", now + timedelta(minutes=15, seconds=1)) is None


def test_throttle_is_per_account(db):
    now = real_now_utc()
    for _ in range(5):
        auth.record_login_failure(db, "sato", now)
    assert auth.throttle_wait(db, "tanaka", now) is None


def test_success_clears_failures(db):
    uid = make_user(db)
    for _ in range(3):
        auth.record_login_failure(db, "sato")
    auth.record_login_success(db, uid, "sato")
    assert db.value("SELECT count(*) FROM login_failure") == 0
    assert db.value("SELECT last_login_at FROM app_user WHERE id = ?", [uid]) is not None


def test_logout_revokes_every_earlier_session(db):
    uid = make_user(db)
    issued = real_now_utc()
    assert auth.session_is_valid(auth.load_login_user(db, "sato"), issued)
    auth.end_sessions(db, uid)
    user = auth.load_login_user(db, "sato")
    assert not auth.session_is_valid(user, issued)
    assert auth.session_is_valid(user, real_now_utc() + timedelta(seconds=1))


def test_deactivation_ends_sessions_and_is_audited(db):
    uid = make_user(db)
    issued = real_now_utc()
    auth.set_active(db, ADMIN, uid, False)
    user = auth.load_login_user(db, "sato")
    assert not user.active
    assert not auth.session_is_valid(user, issued)
    assert not auth.session_is_valid(user, real_now_utc() + timedelta(hours=1))
    assert db.value("SELECT count(*) FROM audit_log WHERE action = 'user.set_active'") == 1


def test_only_admins_manage_users(db):
    make_user(db)
    trainee = auth.load_login_user(db, "sato").actor()
    with pytest.raises(AccessDenied):
        auth.find_users(db, trainee)
    with pytest.raises(AccessDenied):
        auth.create_user(db, trainee, "x", "x", "正しい馬のバッテリー留め金", ("admin",))


def test_change_password_ends_other_sessions(db):
    make_user(db)
    actor = auth.load_login_user(db, "sato").actor()
    before = real_now_utc()
    with pytest.raises(InvalidInput):
        auth.change_password(db, actor, "wrong-password-here", "新しいパスフレーズですよ")
    auth.change_password(db, actor, "正しい馬のバッテリー留め金", "新しいパスフレーズですよ")
    user = auth.load_login_user(db, "sato")
    assert auth.verify_password("新しいパスフレーズですよ", user.password_hash)
    assert not auth.session_is_valid(user, before)


def test_admin_search_is_kana_and_width_insensitive(db):
    db.write(auth.insert_user, "suzuki", "鈴木 一郎", "x", ("trainee",), kana="すずき いちろう")
    admin = ADMIN  # the command line: no account row, still an admin
    assert [u["username"] for u in auth.find_users(db, admin, "スズキ")[0]] == ["suzuki"]
    assert [u["username"] for u in auth.find_users(db, admin, "ＳＵＺＵＫＩ")[0]] == ["suzuki"]


def test_the_people_list_is_read_a_page_at_a_time_in_kana_order(demo_db):
    everyone = demo_db.dicts(
        "SELECT u.username, u.display_name, u.display_name_kana, u.email, "
        "coalesce(string_agg(r.role, ',' ORDER BY r.role), '') AS roles FROM app_user u "
        "LEFT JOIN user_role r ON r.user_id = u.id GROUP BY u.username, u.display_name, u.display_name_kana, u.email "
        "ORDER BY u.display_name_kana NULLS LAST, u.username")
    users, total = auth.find_users(demo_db, ADMIN, "", 10)
    assert total == len(everyone) > 10
    assert [(u["username"], u["roles"]) for u in users] == [(u["username"], u["roles"]) for u in everyone[:10]]
    assert [u["username"] for u in auth.find_users(demo_db, ADMIN, "", 1000)[0]] == [u["username"] for u in everyone]
    # the person just added comes first, even when they would sort beyond the page
    last = everyone[-1]["username"]
    first_page, _ = auth.find_users(demo_db, ADMIN, "", 10, first=last)
    assert [u["username"] for u in first_page] == [last] + [u["username"] for u in everyone[:9]]
    # a search counts every match and reads the first `limit` of them, in the same order
    matches, found = auth.find_users(demo_db, ADMIN, "demo", 2)
    every_match = [u["username"] for u in everyone
                   if name_matches("demo", u["username"], u["display_name"], u["display_name_kana"], u["email"])]
    assert found == len(every_match) > 2 and [u["username"] for u in matches] == every_match[:2]
    assert auth.find_users(demo_db, ADMIN, "誰にも当たらない名前") == ([], 0)


def test_sessions_expire_after_their_lifetime(db):
    make_user(db)
    user = auth.load_login_user(db, "sato")
    assert auth.session_is_valid(user, real_now_utc() - timedelta(hours=11), timedelta(hours=12))
    assert not auth.session_is_valid(user, real_now_utc() - timedelta(hours=13), timedelta(hours=12))


def test_guessing_the_current_password_is_throttled_too(db):
    make_user(db)
    actor = auth.load_login_user(db, "sato").actor()
    for _ in range(5):
        with pytest.raises(InvalidInput):
            auth.change_password(db, actor, "wrong-guess-0000", "新しいパスフレーズですよ")
    with pytest.raises(auth.LoginThrottled):
        auth.change_password(db, actor, "正しい馬のバッテリー留め金", "新しいパスフレーズですよ")


def test_concurrent_wrong_guesses_cannot_race_past_the_throttle(db):
    """20 guesses at once for one account: the try is counted before the password check, under the write lock, so at
    most five ever reach bcrypt; the rest are told to wait. Never a permanent lock-out."""
    from concurrent.futures import ThreadPoolExecutor

    make_user(db)
    user_hash = auth.load_login_user(db, "sato").password_hash
    checked, throttled = [], []

    def guess(i):
        try:
            auth.begin_login_attempt(db, "Sato")
        except auth.LoginThrottled:
            throttled.append(i)
            return
        checked.append(auth.verify_password(f"wrong-guess-{i:04d}", user_hash))

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(guess, range(20)))
    assert len(checked) == auth.THROTTLE_FAILURES and not any(checked)
    assert len(throttled) == 20 - auth.THROTTLE_FAILURES
    later = real_now_utc() + auth.THROTTLE_WAIT + timedelta(seconds=1)
    assert auth.throttle_wait(db, "sato", later) is None


# -- issue 22 point 4: a per-source limit, no lock-out by strangers, the same cost for unknown accounts ------------
def _guesses(db, name, source, count, now):
    for _ in range(count):
        auth.begin_login_attempt(db, name, now, source=source)


def test_a_source_is_limited_across_accounts(db):
    """One address trying many accounts (credential stuffing) waits after SOURCE_FAILURES failures, whichever
    account it names next; another address is not affected."""
    now = real_now_utc()
    for i in range(auth.SOURCE_FAILURES):
        auth.begin_login_attempt(db, f"user{i:02d}", now, source="203.0.113.7")
    with pytest.raises(auth.LoginThrottled):
        auth.begin_login_attempt(db, "someone-new", now, source="203.0.113.7")
    auth.begin_login_attempt(db, "someone-new", now, source="198.51.100.2")
    assert auth.throttle_wait(db, "someone-new", now + auth.THROTTLE_WAIT + timedelta(seconds=1),
                              source="203.0.113.7") is None


def test_an_account_is_limited_for_the_source_that_failed(db):
    now = real_now_utc()
    _guesses(db, "sato", "203.0.113.7", auth.THROTTLE_FAILURES, now)
    with pytest.raises(auth.LoginThrottled):
        auth.begin_login_attempt(db, "sato", now, source="203.0.113.7")
    with pytest.raises(auth.LoginThrottled):  # an unknown source (no address) gets no exception either
        auth.begin_login_attempt(db, "sato", now, source=None)


def test_a_correct_password_from_a_clean_source_passes_a_locked_account(db):
    """Five guesses by a stranger do not lock the trainee out: a try from an address with no recent failures goes
    on to the password check, and the right password logs in (and clears the account's failures)."""
    uid = make_user(db)
    now = real_now_utc()
    _guesses(db, "sato", "203.0.113.7", auth.THROTTLE_FAILURES, now)
    assert auth.throttle_wait(db, "sato", now, source="203.0.113.7") is not None
    assert auth.throttle_wait(db, "sato", now, source="192.0.2.10") is None
    auth.begin_login_attempt(db, "sato", now, source="192.0.2.10")  # the owner's desk: let through
    user = auth.load_login_candidate(db, "sato")
    assert auth.verify_password("正しい馬のバッテリー留め金", user.password_hash)
    auth.record_login_success(db, uid, "sato")
    assert auth.throttle_wait(db, "sato", now, source="203.0.113.7") is None


def test_a_clean_source_gets_one_try_and_the_account_has_a_hard_ceiling(db):
    now = real_now_utc()
    _guesses(db, "sato", "203.0.113.7", auth.THROTTLE_FAILURES, now)
    auth.begin_login_attempt(db, "sato", now, source="192.0.2.10")  # a wrong password from here...
    with pytest.raises(auth.LoginThrottled):  # ...and this source is no longer clean
        auth.begin_login_attempt(db, "sato", now, source="192.0.2.10")
    for i in range(auth.ACCOUNT_HARD_LIMIT):  # many addresses, one try each
        try:
            auth.begin_login_attempt(db, "sato", now, source=f"10.0.{i // 250}.{i % 250}")
        except auth.LoginThrottled:
            break
    assert db.value("SELECT count(*) FROM login_failure WHERE username = 'sato'") == auth.ACCOUNT_HARD_LIMIT
    with pytest.raises(auth.LoginThrottled):  # at most 100 failures an hour on one account (ASVS V2.2.1)
        auth.begin_login_attempt(db, "sato", now, source="172.16.0.1")


def test_an_unknown_or_inactive_account_runs_the_bcrypt_check(db, monkeypatch):
    """Timing-independent: the login for an account that does not exist (or cannot log in) calls bcrypt.checkpw
    exactly as a real account's wrong password does, against a dummy hash of the same cost."""
    uid = make_user(db)
    auth.spend_password_check()  # the dummy hash is made once per process, outside the count
    calls = []
    real = auth.bcrypt.checkpw
    monkeypatch.setattr(auth.bcrypt, "checkpw", lambda pw, h: calls.append(h) or real(pw, h))
    assert auth.load_login_candidate(db, "nobody-here", "some-guess-1234") is None
    assert len(calls) == 1 and calls[0].startswith(f"$2b${auth.BCRYPT_ROUNDS:02d}$".encode())
    assert auth.load_login_candidate(db, "sato") is not None and len(calls) == 1  # stauth checks a real one
    db.write(lambda tx: tx.execute("UPDATE app_user SET active = FALSE WHERE id = ?", [uid]))
    auth.load_login_candidate(db, "sato")
    assert len(calls) == 2


def test_the_login_form_checks_a_password_for_an_unknown_account(db, monkeypatch):
    from coordsupervise.ui import login

    monkeypatch.setattr(login, "client_address", lambda: "192.0.2.1")
    calls = []
    monkeypatch.setattr(auth, "spend_password_check", lambda password="": calls.append(1) or False)
    directory = login.DbUserDirectory(db, throttle=True)
    assert "nobody-here" not in directory
    assert "nobody-here" not in directory  # asked again by stauth in the same run: counted once
    assert calls == [1]
    assert db.value("SELECT source FROM login_failure WHERE username = 'nobody-here'") == "192.0.2.1"


@pytest.mark.parametrize(("behind", "forwarded", "expected"), [
    (True, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the last hop is the one our nginx appended
    (True, "", "198.51.100.9"),
    (False, "6.6.6.6", "198.51.100.9"),  # not behind our nginx: the header is anybody's
])
def test_client_address_trusts_forwarded_for_only_behind_our_nginx(monkeypatch, behind, forwarded, expected):
    from types import SimpleNamespace

    from coordsupervise.config import load_settings
    from coordsupervise.ui import login

    cfg = load_settings({"COORDSUPERVISE_BEHIND_PROXY": "1" if behind else ""})
    assert cfg.behind_proxy is behind
    monkeypatch.setattr(login, "settings", lambda: cfg)
    monkeypatch.setattr(login, "st", SimpleNamespace(context=SimpleNamespace(
        headers={"X-Forwarded-For": forwarded} if forwarded else {}, ip_address="198.51.100.9")))
    assert login.client_address() == expected


def test_serve_tells_its_processes_they_are_behind_nginx():
    source = (Path(__file__).resolve().parents[3] / "coordsupervise" / "serve.py").read_text(encoding="utf-8")
    assert '"COORDSUPERVISE_BEHIND_PROXY": "1"' in source
