"""The house's layout: one page file per address, and the Streamlit internal the hand-over relies on."""
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager

from coordsupervise.i18n import LANGUAGES, catalogue_files
from coordsupervise.routes import ROUTES
from coordsupervise.ui import handover

ROOT = Path(__file__).resolve().parents[2]


def test_the_files_in_pages_are_exactly_the_addresses():
    files = {p.stem for p in (ROOT / "pages").glob("*.py")}
    assert files == {r.path for r in ROUTES}
    assert all(r.file == f"pages/{r.path}.py" for r in ROUTES)
    assert not (ROOT / "screens").exists()


def test_the_pages_flag_the_hand_over_relies_on_still_exists():
    """handover.py turns this class attribute off (checked against Streamlit 1.67). If an upgrade renames or drops
    it, a fresh server's first session would run page files without the router: fail here, loudly."""
    assert handover.FLAG in vars(PagesManager), "Streamlit no longer has PagesManager.uses_pages_directory"


def test_a_catalogue_key_lives_in_one_file_only():
    for language in LANGUAGES:
        seen: dict[str, str] = {}
        for name, messages in catalogue_files(language).items():
            for key in messages:
                assert key not in seen, f"{language}: {key} in {seen.get(key)} and {name}"
                seen[key] = name
