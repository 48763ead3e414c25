import base64
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ringback.core.config import ensure_secrets, load_settings
from ringback.core.config_redact import mask, mask_url_password
from ringback.core.config_secrets import new_signing_secret, read_or_create
from ringback.core.errors import ConfigError


def config_in(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "ringback.toml"
    path.write_text('[store]\nurl = "sqlite:///data/ringback.db"\n' + extra, encoding="utf-8")
    return path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_missing_secrets_are_generated_private_and_reused(tmp_path: Path) -> None:
    path = config_in(tmp_path)
    first = ensure_secrets(load_settings(path, {}))
    data_dir = tmp_path / "data"
    assert first.server.token
    assert first.http.signing_secret.startswith("whsec_")
    assert len(base64.b64decode(first.http.signing_secret.removeprefix("whsec_"))) == 32
    assert mode(data_dir / "token") == 0o600
    assert mode(data_dir / "signing_secret") == 0o600
    assert (data_dir / "token").read_text().strip() == first.server.token

    again = ensure_secrets(load_settings(path, {}))
    assert again.server.token == first.server.token
    assert again.http.signing_secret == first.http.signing_secret


def test_configured_secrets_are_used_and_no_file_is_written(tmp_path: Path) -> None:
    secret = new_signing_secret()
    env = {"RINGBACK_TOKEN": "configured-token-value", "RINGBACK_SIGNING_SECRET": secret}
    settings = ensure_secrets(load_settings(config_in(tmp_path), env))
    assert settings.server.token == "configured-token-value"
    assert settings.http.signing_secret == secret
    assert not (tmp_path / "data").exists()


def test_other_settings_survive(tmp_path: Path) -> None:
    settings = load_settings(config_in(tmp_path, "[server]\nport = 9100\n"), {})
    assert ensure_secrets(settings).server.port == 9100
    assert ensure_secrets(settings).store == settings.store


def test_a_loose_file_mode_is_tightened(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("copied-in-token\n")
    token_file.chmod(0o644)
    assert read_or_create(token_file, lambda: "unused") == "copied-in-token"
    assert mode(token_file) == 0o600


def test_an_empty_secret_file_is_an_error_not_a_silent_new_secret(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("")
    with pytest.raises(ConfigError, match="is empty"):
        read_or_create(tmp_path / "token", lambda: "new")


def test_a_corrupt_signing_secret_file_is_reported(tmp_path: Path) -> None:
    settings = load_settings(config_in(tmp_path), {"RINGBACK_TOKEN": "t" * 20})
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "signing_secret").write_text("not-a-secret\n")
    with pytest.raises(ConfigError) as caught:
        ensure_secrets(settings)
    assert caught.value.field == "http.signing_secret"
    assert "signing_secret" in caught.value.message
    assert "not-a-secret" not in caught.value.message


def test_concurrent_first_starts_agree_on_one_secret(tmp_path: Path) -> None:
    target = tmp_path / "shared" / "token"
    counter = iter(range(1000))
    with ThreadPoolExecutor(max_workers=8) as pool:
        values = list(
            pool.map(lambda _: read_or_create(target, lambda: f"token-{next(counter)}"), range(16))
        )
    assert len(set(values)) == 1
    assert target.read_text().strip() == values[0]
    assert sorted(p.name for p in target.parent.iterdir()) == ["token"]  # no temp files left


def test_redacted_view_hides_every_secret(tmp_path: Path) -> None:
    path = tmp_path / "ringback.toml"
    path.write_text(
        """
[store]
url = "postgresql://ringback:hunter2-password@db:5432/ringback"
[alerts]
callback_url = "https://ops:alert-password@alerts.example.com/hook"
[commands.fetch]
argv = ["fetch"]
env = { BANK_API_KEY = "sk_live_abcdefghijklmnop" }
[payments.alipay]
app_id = "2021000000000000"
private_key = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"
""",
        encoding="utf-8",
    )
    settings = ensure_secrets(load_settings(path, {"RINGBACK_DATA_DIR": str(tmp_path)}))
    shown = settings.secrets_redacted()
    text = repr(shown)
    for secret in (
        settings.server.token[4:],
        settings.http.signing_secret.removeprefix("whsec_")[4:],
        "hunter2",
        "alert-password",
        "sk_live_abcdefghijklmnop",
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
    ):
        assert secret not in text
    assert shown["server"]["token"] == settings.server.token[:4] + "…"
    assert shown["http"]["signing_secret"] == settings.http.signing_secret[:10] + "…"
    assert shown["store"]["url"] == "postgresql://ringback:hunt…@db:5432/ringback"
    assert shown["payments"]["alipay"]["app_id"] == "2021000000000000"
    assert shown["store"]["statement_timeout"] == "30s"
    assert shown["store"]["schema"] == "ringback"


@pytest.mark.parametrize(
    ("secret", "shown"),
    [
        ("", ""),
        ("short", "…"),
        ("abcdefghijklmnop", "abcd…"),
        ("whsec_c2VjcmV0c2VjcmV0", "whsec_c2Vj…"),
    ],
)
def test_mask(secret: str, shown: str) -> None:
    assert mask(secret) == shown


def test_url_without_password_is_unchanged() -> None:
    assert (
        mask_url_password("postgresql://ringback@db/ringback")
        == "postgresql://ringback@db/ringback"
    )
