"""Migration 014: names and organisations stored before their input path dropped the bidi controls lose them when
the database is upgraded (on DuckDB and on PostgreSQL); every other row stays as it was."""
from coordsupervise.store.db import migrations
from coordsupervise.text.textnorm import BIDI_CONTROLS

RLO, PDF, RLI, PDI, LRE = "\u202e", "\u202c", "\u2067", "\u2069", "\u202a"


def _has_bidi(text: str | None) -> bool:
    return any(c in (text or "") for c in BIDI_CONTROLS)


def _upgrade_through_014(db) -> list[int]:
    """Take the demo database back to schema 13 (as the old input paths left it) and apply 014 alone; the later
    migrations, already in its schema, are recorded again as they were."""
    later = db.rows("SELECT version, name, applied_at FROM schema_version WHERE version > 14")
    db.write(lambda tx: tx.execute("DELETE FROM schema_version WHERE version >= 14"))
    applied = db.migrate(upgrade_to=14)
    db.write(lambda tx: tx.executemany("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                                       later))
    return applied


def test_014_strips_stored_names_readings_and_organisations(demo_db):
    assert 14 in [m.version for m in migrations()]
    trainee, supervisor, blank = (demo_db.value("SELECT id FROM app_user WHERE username = ?", [name])
                                  for name in ("demo-trainee", "demo-supervisor", "demo-manager"))
    organisation = demo_db.value("SELECT min(id) FROM organisation")

    def plant(tx):
        tx.execute("UPDATE app_user SET display_name = ?, display_name_kana = ? WHERE id = ?",
                   [f"{RLO}子花 中田{PDF}", f"{RLI}なかた はなこ{PDI}", trainee])
        tx.execute("UPDATE app_user SET display_name_kana = ? WHERE id = ?", [RLO, supervisor])
        tx.execute("UPDATE app_user SET display_name = ? WHERE id = ?", [f"{RLO}{PDF}", blank])
        tx.execute("UPDATE organisation SET name = ?, prefecture = ?, region = ? WHERE id = ?",
                   [f"{RLI}evil.exe{PDI} 相談センター", f"{LRE}東京都{PDF}", f"{RLO}関東", organisation])

    demo_db.write(plant)
    untouched = demo_db.rows("SELECT id, display_name, display_name_kana FROM app_user WHERE id NOT IN (?, ?, ?) "
                             "ORDER BY id", [trainee, supervisor, blank])
    assert _upgrade_through_014(demo_db) == [14]

    assert demo_db.one("SELECT display_name, display_name_kana FROM app_user WHERE id = ?", [trainee]) == \
        ("子花 中田", "なかた はなこ")
    assert demo_db.value("SELECT display_name_kana FROM app_user WHERE id = ?", [supervisor]) is None
    # a name of controls alone would be an empty name: the login ID stands in for it
    assert demo_db.value("SELECT display_name FROM app_user WHERE id = ?", [blank]) == "demo-manager"
    assert demo_db.one("SELECT name, prefecture, region FROM organisation WHERE id = ?", [organisation]) == \
        ("evil.exe 相談センター", "東京都", "関東")
    assert not [row for row in demo_db.rows(
        "SELECT display_name, display_name_kana FROM app_user UNION ALL "
        "SELECT name, region FROM organisation UNION ALL SELECT prefecture, NULL FROM organisation")
        if _has_bidi(row[0]) or _has_bidi(row[1])]
    assert demo_db.rows("SELECT id, display_name, display_name_kana FROM app_user WHERE id NOT IN (?, ?, ?) "
                        "ORDER BY id", [trainee, supervisor, blank]) == untouched


def test_014_leaves_a_clean_database_as_it_was(demo_db):
    users = demo_db.rows("SELECT * FROM app_user ORDER BY id")
    organisations = demo_db.rows("SELECT * FROM organisation ORDER BY id")
    assert _upgrade_through_014(demo_db) == [14]
    assert demo_db.rows("SELECT * FROM app_user ORDER BY id") == users
    assert demo_db.rows("SELECT * FROM organisation ORDER BY id") == organisations
