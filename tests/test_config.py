"""The configuration file: lookup order, ${VAR} expansion, key-path errors, defaults equal to the example."""

from __future__ import annotations

import logging
import re
from typing import get_args, get_origin

import pytest
import yaml
from pydantic import BaseModel

from bot.cli import main
from bot.config import EXAMPLE_FILE, Config, ConfigError, built_in_config, config_path, load_config, parse_config

SCHEDULE = "{name: %s, cron: '%s', target: {platform: telegram, chat: '@news'}}"


def test_example_file_equals_built_in_defaults():
    assert parse_config(EXAMPLE_FILE.read_text(), environ={}) == Config() == built_in_config({})


def _settings_keys(model: type[BaseModel], path: str = "") -> list[str]:
    """Every key a config file may set, as a dotted path; the keys of a list's or a mapping's items under "[]"."""
    keys = []
    for name, field in model.model_fields.items():
        key = f"{path}.{name}" if path else name
        keys.append(key)
        for item_model, in_items in _models_inside(field.annotation):
            keys += _settings_keys(item_model, f"{key}[]" if in_items else key)
    return sorted(set(keys))


def _models_inside(annotation, in_items: bool = False) -> list[tuple[type[BaseModel], bool]]:
    """The settings models a field holds (`Annotated`, unions, lists and mappings looked into), each with
    whether it is an item of a list or mapping."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(annotation, in_items)]
    container = get_origin(annotation) in (list, dict)
    return [found for inner in get_args(annotation) for found in _models_inside(inner, in_items or container)]


def test_the_example_file_shows_every_key_as_its_header_says():
    text = EXAMPLE_FILE.read_text()
    sections = yaml.safe_load(text)

    def shown(key: str) -> bool:
        if "[]" in key:  # a list's items are shown in comments: their key must be written there
            return re.search(rf"^\s*#.*\b{re.escape(key.rsplit('.', 1)[-1])}:", text, re.MULTILINE) is not None
        value = sections
        for part in key.split("."):
            if not isinstance(value, dict) or part not in value:
                return False
            value = value[part]
        return True

    assert [key for key in _settings_keys(Config) if not shown(key)] == []


def test_without_a_config_file_the_tokens_come_from_the_environment_as_the_example_reads_them(tmp_path, monkeypatch):
    tokens = {"TELEGRAM_BOT_TOKEN": "123456:EXAMPLE", "DISCORD_BOT_TOKEN": "discord-example"}
    assert built_in_config(tokens) == parse_config(EXAMPLE_FILE.read_text(), environ=tokens)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSBOT_CONFIG", raising=False)
    for name, value in tokens.items():
        monkeypatch.setenv(name, value)
    config = load_config()
    assert config.telegram.token.get_secret_value() == "123456:EXAMPLE"
    assert config.discord.token.get_secret_value() == "discord-example"


def test_a_file_that_leaves_the_tokens_out_reads_them_from_the_environment_as_the_example_does():
    tokens = {"TELEGRAM_BOT_TOKEN": "123456:EXAMPLE", "DISCORD_BOT_TOKEN": "discord-example"}
    config = parse_config("storage: {url: 'postgresql://newsbot@db.example:5432/newsbot'}\n", environ=tokens)
    assert config.telegram.token.get_secret_value() == "123456:EXAMPLE"
    assert config.discord.token.get_secret_value() == "discord-example"
    webhook_only = parse_config("telegram:\n  webhook: {enabled: false}\n", environ=tokens)
    assert webhook_only.telegram.token.get_secret_value() == "123456:EXAMPLE"
    assert parse_config("telegram: {token: ''}\ndiscord: {token: ''}\n", environ=tokens).telegram.token is None


def test_lookup_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSBOT_CONFIG", raising=False)
    assert config_path(None) is None
    (tmp_path / "config.yaml").write_text("storage: {url: 'sqlite:///local.db'}")
    assert load_config().storage.url == "sqlite:///local.db"
    (tmp_path / "env.yaml").write_text("storage: {url: 'sqlite:///env.db'}")
    monkeypatch.setenv("NEWSBOT_CONFIG", str(tmp_path / "env.yaml"))
    assert load_config().storage.url == "sqlite:///env.db"
    (tmp_path / "flag.yaml").write_text("storage: {url: 'sqlite:///flag.db'}")
    assert load_config(str(tmp_path / "flag.yaml")).storage.url == "sqlite:///flag.db"


def test_variables_expand_from_the_environment():
    text = "telegram:\n  token: ${TG_TOKEN}\ndiscord:\n  token: ${DC_TOKEN:-}\nstorage:\n  url: ${DB:-sqlite:///x.db}\n"
    config = parse_config(text, environ={"TG_TOKEN": "12345:secret"})
    assert config.telegram.token.get_secret_value() == "12345:secret"
    assert config.discord.token is None
    assert config.storage.url == "sqlite:///x.db"


def test_unset_variable_without_default_is_named():
    with pytest.raises(ConfigError, match="TG_TOKEN is not set"):
        parse_config("telegram:\n  token: ${TG_TOKEN}\n", environ={})


def test_a_variable_set_but_empty_is_named_as_empty_and_double_dollar_is_literal():
    with pytest.raises(ConfigError, match=r"telegram\.token: environment variable TG_TOKEN is empty"):
        parse_config("telegram:\n  token: ${TG_TOKEN}\n", environ={"TG_TOKEN": ""})
    config = parse_config("storage: {url: 'sqlite:///$${HOME}.db'}", environ={"HOME": "/root"})
    assert config.storage.url == "sqlite:///${HOME}.db"


# a ${ in a form newsbot does not read, and the start of it an error shows
UNREAD_VARIABLES = {
    "${TG_TOKEN-24680:made-up-default}": "${TG_TOKEN-…",  # the shell's "unset only" default
    "${TG_TOKEN:=24680:made-up-default}": "${TG_TOKEN:…",
    "${TG_TOKEN:24680:made-up-default}": "${TG_TOKEN:…",
    "${ TG_TOKEN }": "${ TG_TOKEN …",
    "${TG_TOKEN": "${TG_TOKEN…",
}


@pytest.mark.parametrize("value, shown", UNREAD_VARIABLES.items())
def test_a_variable_newsbot_does_not_read_is_named_with_its_key_not_kept_as_written(value, shown):
    """Such a value was kept as written, a token of "${TG_TOKEN-…}" that Telegram refused at the start."""
    with pytest.raises(ConfigError) as raised:
        parse_config(f"telegram:\n  token: '{value}'\n", environ={"TG_TOKEN": "13579:made-up-set-token"})
    told = str(raised.value)
    assert f'telegram.token: "{shown}" is no variable newsbot reads: write ${{NAME}} or ${{NAME:-default}}' in told
    assert "made-up" not in told


def test_double_dollar_is_a_literal_dollar_brace_whatever_follows():
    config = parse_config("storage: {url: 'sqlite:///$${HOME-x}.db'}", environ={"HOME": "/root"})
    assert config.storage.url == "sqlite:///${HOME-x}.db"


def test_a_config_file_that_is_not_utf8_is_named(tmp_path):
    latin = tmp_path / "latin.yaml"
    latin.write_bytes('telegram: {base_url: "caf\xe9"}'.encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin\.yaml: not UTF-8 text \(byte 26\)"):
        load_config(str(latin))


def test_yaml_merge_keys_share_settings_and_a_key_after_them_overrides():
    config = parse_config(
        "sources:\n"
        " - &feed {name: one, kind: feed, url: 'https://a.example/rss', interval: 600}\n"
        " - <<: *feed\n   name: two\n   url: 'https://b.example/rss'\n",
        environ={},
    )
    assert [(source.name, source.url, source.interval) for source in config.sources] == [
        ("one", "https://a.example/rss", 600),
        ("two", "https://b.example/rss", 600),
    ]


def test_token_never_shown_in_repr():
    config = parse_config("telegram: {token: '999:very-secret'}", environ={})
    assert "very-secret" not in repr(config)
    assert "very-secret" not in str(config.telegram)


@pytest.mark.parametrize(
    "text, message",
    [
        ("schedules:\n - " + SCHEDULE % ("a", "0 8 * * *") + "\n - " + SCHEDULE % ("b", "0 9 * * *")
         + "\n - " + SCHEDULE % ("c", "0 25 * * *"),
         'schedules[2].cron: invalid cron expression "0 25 * * *"'),
        ("schedules:\n - " + SCHEDULE % ("a", "0 8 31 2 *"),
         'schedules[0].cron: cron expression "0 8 31 2 *" never fires: no month it names has that day'),
        ("schedules:\n - " + SCHEDULE % ("a", "0 8 31 4,6 *"),
         'schedules[0].cron: cron expression "0 8 31 4,6 *" never fires: no month it names has that day'),
        ("schedules:\n - " + SCHEDULE % ("a", "0 8 31 feb-apr/2 *"),
         'schedules[0].cron: cron expression "0 8 31 feb-apr/2 *" never fires: no month it names has that day'),
        ("schedules:\n - {name: a, cron: '0 8 * * *', timezone: Mars/Olympus, target: {platform: telegram, chat: 1}}",
         'schedules[0].timezone: unknown timezone "Mars/Olympus"'),
        ("storage: {url: 'sqlite:///a.db', pool: 3}", "storage.pool: unknown key (the keys here: url, statement_timeout_seconds)"),
        ("colour: blue", "colour: unknown key (the keys here: storage, sources, taxonomy, telegram, discord, schedules, delivery)"),
        ("sources:\n - {name: x, kind: feed, url: 'https://example.org/f', intreval: 600}",
         "sources[0].intreval: unknown key (did you mean interval?)"),
        ("taxonomy: {sectors: {water: {keyword: [desalination]}}}", "taxonomy.sectors.water.keyword: unknown key (did you mean keywords?)"),
        ("telegram: {webhook: {enabled: true, url: 'https://bot.example.org', secret: x}}",
         "telegram.webhook.secret: unknown key (did you mean secret_token?)"),
        ("sources:\n - {name: x, kind: feed}", "sources[0].url: Field required"),
        ("sources:\n - {name: x, kind: carrier-pigeon}", "sources[0].kind: Input should be 'feed', 'files' or 'bundled'"),
        ("sources:\n - {name: x}", "sources[0].kind: Field required: 'feed', 'files' or 'bundled'"),
        ("sources:\n - {name: x, url: 'https://example.org/feed', path: 'notes/*.md'}",
         "sources[0].kind: Field required: 'feed', 'files' or 'bundled'"),
        ("schedules:\n - {name: a, cron: '0 8 * * *', target: {chat: '@news'}}",
         "schedules[0].target.platform: Field required: 'telegram', 'discord' or 'console'"),
        ("sources:\n\t- {name: x, kind: bundled}", "not valid YAML: a tab (line 2, column 1): YAML indents with spaces, not tabs"),
        ("sources:\n - {kind: bundled}\n - {kind: bundled}", "sources: names must be unique: newsbot demo"),
        ("storage: {url: 'mysql://x'}", 'storage.url: unsupported storage url "mysql:…"'),
        ("storage: {url: 'sqlite://newsbot.db'}",
         'storage.url: "sqlite://newsbot.db" names a host, not a file: three slashes, sqlite:///newsbot.db,'),
        ("storage: {url: 'sqlite:newsbot.db'}", "storage.url: not a database URL: write sqlite:///newsbot.db or"),
        ("storage: {url: 'postgresql://newsbot@db.example:port/newsbot'}",
         "storage.url: not a database URL: the port must be a number;"),
        ("schedules:\n - {name: a, cron: '0 8 * * *', target: {platform: irc, chat: x}}",
         "schedules[0].target.platform"),
        ("- just\n- a list", "the top level must be a mapping"),
        ("[]", "the top level must be a mapping"),
        ("false", "the top level must be a mapping"),
        ("sources:\n - {name: x, kind: feed, url: 'not a url'}", 'sources[0].url: "not a url" is not a web address'),
        ("sources:\n - {name: x, kind: feed, url: 'https://news.example .org/feed'}",
         'sources[0].url: "https://news.example .org/feed" is not a web address'),
        ("sources:\n - {name: x, kind: feed, url: 'ftp://example.org/feed'}", "sources[0].url: \"ftp://example.org/feed\" is not"),
        ("sources:\n - {name: x, kind: feed, url: 'file:///etc/passwd'}", "is not a web address"),
        ("sources:\n - {name: x, kind: feed, url: 'http://[::1/feed'}", "sources[0].url: not a web address: Invalid IPv6 URL"),
        ("storage: {url: [unclosed", "not valid YAML"),
        ("delivery: {missed_run_grace_seconds: 0}", "delivery.missed_run_grace_seconds: Input should be greater than 0"),
        ("storage: {statement_timeout_seconds: 0}", "storage.statement_timeout_seconds: Input should be greater than 0"),
        ("storage: {statement_timeout_seconds: forever}", "storage.statement_timeout_seconds: Input should be a valid number"),
        ("storage: {statement_timeout_seconds: 3000000}",
         "storage.statement_timeout_seconds: Input should be less than or equal to 2147483"),
        ("schedules:\n - " + SCHEDULE % ("a", "0 8 * * *") + "\n - " + SCHEDULE % ("a", "0 9 * * *"),
         "schedules: names must be unique: a"),
        ("telegram: {token: '1:x', webhook: {enabled: true}}", "telegram.webhook: url is required when the webhook is enabled"),
        ("storage: {url: 'sqlite:///a.db'}\nstorage: {url: 'sqlite:///b.db'}", "the key 'storage' is given twice"),
        ("a: &a [*a]", "a YAML alias refers to itself"),
        ("? [a, b]\n: 1", "a key that is a list or mapping"),
        ("sources:\n - {name: x, kind: feed, url: 'http://127.0.0.1:99999/feed'}",
         "sources[0].url: the port must be a number from 0 to 65535"),
        ("sources:\n - {name: '', kind: bundled}", "sources[0].name: String should have at least 1 character"),
        ("storage: {url: '${NOPE}'}", "storage.url: environment variable NOPE is not set"),
        ("schedules:\n - {name: a, cron: '0 8 * * *', target: {platform: discord, chat: general}}",
         'schedules[0].target.chat: "general" is no Discord channel id'),
        ("schedules:\n - " + SCHEDULE % ("n" * 101, "0 8 * * *"), "schedules[0].name: String should have at most 100 characters"),
        ("schedules:\n - {name: a, cron: '0 8 * * *', target: {platform: telegram, chat: my_channel}}",
         'schedules[0].target.chat: "my_channel" is no Telegram chat'),
        ("telegram: {base_url: 'api.telegram.org/bot'}", 'telegram.base_url: "api.telegram.org/bot" is not a web address'),
        ("telegram: {webhook: {enabled: true, url: 'bot.example.org/hook'}}", "telegram.webhook.url: \"bot.example.org/hook\" is not"),
        ("discord: {api_base: 'discord api'}", 'discord.api_base: "discord api" is not a web address'),
        ("storage:\n  # url: sqlite:///newsbot.db\n",
         "storage: expected keys and values, found nothing (an empty section: fill it in or leave it out)"),
        ("telegram: {webhook: [enabled]}", "telegram.webhook: expected keys and values, found a list"),
        ("telegram: {webhook: {listen: ''}}",
         "telegram.webhook.listen: empty, which would listen on every interface: leave it out for 127.0.0.1"),
        ("telegram: {webhook: {listen: '${LISTEN_AT:-} '}}", "telegram.webhook.listen: empty, which would listen on every"),
        ("sources: [bundled]", "sources[0]: expected keys and values, found text"),
        ("schedules: {name: a}", "schedules: expected a list, found keys and values"),
        ("taxonomy: {sectors: [energy]}", "taxonomy.sectors: expected keys and values, found a list"),
        ("discord: {gateway_url: 'https://gateway.example'}",
         'discord.gateway_url: "https://gateway.example" is not a web address (wss:// or ws:// and a host)'),
        # YAML reads true, yes and on as true, which pydantic would take for the number 1
        ("sources:\n - {name: x, kind: bundled, interval: true}", "sources[0].interval: expected a number, found true"),
        ("delivery: {max_attempts: yes}", "delivery.max_attempts: expected a number, found true"),
        ("delivery: {telegram: {per_second: off}}", "delivery.telegram.per_second: expected a number, found false"),
        ("taxonomy: {sectors: {water: {keywords: [desalination], weight: true}}}",
         "taxonomy.sectors.water.weight: expected a number, found true"),
        ("discord: {guild_ids: [true]}", "discord.guild_ids[0]: expected a number, found true"),
        # a number newsbot cannot count with would stop `newsbot run` with a traceback
        ("delivery: {missed_run_grace_seconds: 1.0e+300}",
         "delivery.missed_run_grace_seconds: Input should be less than or equal to 315360000"),
        ("delivery: {keep_days: .inf}", "delivery.keep_days: Input should be a finite number"),
        ("delivery: {lease_seconds: .nan}", "delivery.lease_seconds: Input should be a finite number"),
        ("sources:\n - {name: x, kind: feed, url: 'https://example.org/f', timeout: .inf}",
         "sources[0].timeout: Input should be a finite number"),
    ],
)
def test_bad_config_names_the_key(text, message):
    with pytest.raises(ConfigError) as raised:
        parse_config(text, environ={})
    assert message in str(raised.value)


@pytest.mark.parametrize("written, kind", [("url: 'https://example.org/feed'", "feed"), ("path: 'notes/*.md'", "files")])
def test_a_source_without_kind_is_a_feed_by_its_url_and_files_by_its_path(written, kind):
    config = parse_config("sources:\n - {name: x, %s}" % written, environ={})
    assert config.sources[0].kind == kind


def test_the_same_error_in_several_items_is_told_once_naming_them_all():
    feeds = [f"{{name: f{number}, kind: feed, url: 'https://example.org/{number}', intreval: 600}}" for number in range(31)]
    with pytest.raises(ConfigError) as raised:
        parse_config("sources:\n - " + "\n - ".join(feeds), "config.yaml", environ={})
    assert str(raised.value) == "config.yaml: sources[0-30].intreval: unknown key (did you mean interval?)"


def test_errors_told_once_keep_their_order_and_list_items_apart():
    sources = ["{name: a}", "{name: b}", "{name: c}", "{name: d, kind: feed}", "{name: e}", "{name: f}"]
    with pytest.raises(ConfigError) as raised:
        parse_config("sources:\n - " + "\n - ".join(sources), "config.yaml", environ={})
    assert str(raised.value) == (
        "config.yaml: sources[0-2, 4, 5].kind: Field required: 'feed', 'files' or 'bundled'; sources[3].url: Field required"
    )


FILTERED = "schedules:\n - {name: a, cron: '0 8 * * *', target: {platform: telegram, chat: '@news'}, filter: %s}"


@pytest.mark.parametrize(
    "written, message",
    [
        ("{countries: [TH, kenia]}", 'schedules[0].filter.countries[1]: unknown country or region "kenia" (did you mean Kenya?)'),
        ("{sectors: [enrgy]}", 'schedules[0].filter.sectors[0]: unknown sector "enrgy" (did you mean Energy?)'),
        ("{sectors: [agri]}", 'schedules[0].filter.sectors[0]: unknown sector "agri" (did you mean Agriculture?)'),
        ("{countries: [XX]}", 'schedules[0].filter.countries[0]: unknown country or region "XX"'),
        ("{countries: [SEA]}", 'schedules[0].filter.countries[0]: unknown country or region "SEA" (did you mean ASEAN?)'),
        ("{sectors: [basket weaving]}",
         'schedules[0].filter.sectors[0]: unknown sector "basket weaving" (known sectors: agriculture, education, energy, '),
        ("{sectors: [banks]}", 'schedules[0].filter.sectors[0]: unknown sector "banks" (did you mean Finance?)'),
        ("{sectors: [kenya]}",
         'schedules[0].filter.sectors[0]: "kenya" is no sector but Kenya, a country or region: put it in filter.countries'),
        ("{countries: [energy]}",
         'schedules[0].filter.countries[0]: "energy" is no country or region but Energy, a sector: put it in filter.sectors'),
        ("{countries: [congo]}", 'schedules[0].filter.countries[0]: "congo" could be '
         "Democratic Republic of the Congo or Republic of the Congo: write which"),
        ("{sectors: [enrgy], countries: [kenia]}",
         'sectors[0]: unknown sector "enrgy" (did you mean Energy?); schedules[0].filter.countries[0]: unknown country'),
    ],
)
def test_a_filter_names_sectors_and_places_exactly(written, message):
    with pytest.raises(ConfigError) as raised:
        parse_config(FILTERED % written, "config.yaml", environ={})
    assert str(raised.value).startswith("config.yaml: ") and message in str(raised.value)


def test_a_filter_takes_names_as_the_resolver_knows_them_exactly():
    written = ("{sectors: [Energy, ÉNERGIE, oil, IT, transport and logistics, water], "
               "countries: [ke, KEN, Kenyan, kényan, 🇰🇪, the UK, EU, southeast asia]}")
    config = parse_config("taxonomy: {sectors: {water: {name: Water, keywords: [desalination]}}}\n" + FILTERED % written,
                          environ={})
    assert config.schedules[0].filter.countries[-1] == "southeast asia"


def test_a_misspelt_filter_is_an_error_of_every_command_that_loads_the_config(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"storage: {{url: 'sqlite:///{tmp_path / 'news.db'}'}}\nsources: []\n" + FILTERED % "{countries: [kenia]}")
    assert main(["--config", str(bad), "ingest"]) == 2
    error = capsys.readouterr().err.strip()
    assert error == f'newsbot: {bad}: schedules[0].filter.countries[0]: unknown country or region "kenia" (did you mean Kenya?)'
    assert not (tmp_path / "news.db").exists()


def test_a_storage_url_that_cannot_be_read_shows_no_password():
    with pytest.raises(ConfigError) as raised:
        parse_config("storage: {url: 'postgresql://newsbot:ab@hunter2@db.example/newsbot'}", environ={})
    assert "storage.url: not a database URL: an @ in the password must be written %40" in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_a_telegram_channel_is_one_chat_however_its_name_is_spelled():
    config = parse_config("schedules:\n - {name: a, cron: '0 8 * * *', target: {platform: telegram, chat: '@My_Channel'}}")
    assert config.schedules[0].target.chat == "@my_channel"


@pytest.mark.parametrize("cron", ["0 8 29 2 *", "0 8 31 2 1", "0 8 31 */2 *"])
def test_a_cron_expression_that_fires_rarely_or_on_another_field_is_taken(cron):
    [schedule] = parse_config("schedules:\n - " + SCHEDULE % ("a", cron), environ={}).schedules
    assert schedule.cron == cron


def test_cli_exits_2_with_one_line_naming_the_key(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("schedules:\n - " + SCHEDULE % ("a", "0 25 * * *"))
    assert main(["--config", str(bad), "news"]) == 2
    error = capsys.readouterr().err.strip()
    assert error == f'newsbot: {bad}: schedules[0].cron: invalid cron expression "0 25 * * *"'


def test_missing_config_file_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NEWSBOT_CONFIG", str(tmp_path / "env.yaml"))
    assert main(["--config", str(tmp_path / "nope.yaml"), "news"]) == 2
    assert "nope.yaml: cannot read" in capsys.readouterr().err
    assert main(["news"]) == 2
    assert f"{tmp_path / 'env.yaml'} (from $NEWSBOT_CONFIG): cannot read: No such file" in capsys.readouterr().err


@pytest.mark.parametrize(
    "text, where",
    [
        ("telegram:\n  token: '{token}\n", "while scanning a quoted scalar (line 2, column 10)"),
        ("telegram:\n  token: {token}\n  token: {token}\n", "the key 'token' is given twice (line 3, column 3)"),
    ],
    ids=["quote left open", "key given twice"],
)
def test_a_yaml_error_says_where_without_quoting_the_token(tmp_path, capsys, text, where):
    token = "24680:made-up-config-token"
    config = tmp_path / "config.yaml"
    config.write_text(text.format(token=token))
    assert main(["--config", str(config), "news"]) == 2
    error = capsys.readouterr().err
    assert f"not valid YAML: {where}" in error
    assert token not in error


@pytest.mark.parametrize(
    "text, told",
    [
        ("telegram: {token:%s}", 'telegram: "token:…" is one key to YAML'),
        ("telegram: {webhook: {secret_token:%s}}", 'telegram.webhook: "secret_token:…" is one key to YAML'),
        ("storage: {url:postgresql://newsbot:%s@db.example/newsbot}", 'storage: "url:…" is one key to YAML'),
    ],
)
def test_a_key_with_its_value_run_into_it_is_told_without_the_value(text, told):
    """No space after the colon in a flow mapping ({token:…}, as JSON writes it) and YAML reads one key:
    the unknown key quoted the token whole."""
    with pytest.raises(ConfigError) as raised:
        parse_config(text % "24680:made-up-config-token", environ={})
    assert f"{told}, its value run into it: write a space after the colon" in str(raised.value)
    assert "made-up-config-token" not in str(raised.value)


def test_a_value_quoted_in_an_error_shows_no_token(tmp_path, capsys, monkeypatch):
    token = "13579:made-up-webhook-token"
    monkeypatch.setenv("NEWSBOT_TEST_TOKEN", token)
    config = tmp_path / "config.yaml"
    config.write_text(
        "telegram:\n  token: ${NEWSBOT_TEST_TOKEN}\n"
        "  webhook: {enabled: true, url: 'bot.example.org/${NEWSBOT_TEST_TOKEN}'}\n"
    )
    assert main(["--config", str(config), "news"]) == 2
    error = capsys.readouterr().err
    assert 'telegram.webhook.url: "bot.example.org/[REDACTED]" is not a web address' in error
    assert token not in error


@pytest.mark.parametrize("secret", ["made up secret", "made-up.secret", "made-up-s\u00e9cret", "x" * 257])
def test_a_webhook_secret_telegram_refuses_is_a_config_error_that_does_not_show_it(secret):
    """Telegram takes 1 to 256 of A-Z, a-z, 0-9, _ and - as the secret token; another failed only when
    `newsbot run` set the webhook, and every other command took the config."""
    text = f"telegram:\n  webhook: {{enabled: true, url: 'https://bot.example.org/telegram', secret_token: '{secret}'}}\n"
    with pytest.raises(ConfigError) as raised:
        parse_config(text, environ={})
    told = str(raised.value)
    assert "telegram.webhook.secret_token: 1 to 256 characters, each a letter A-Z or a-z, a digit, _ or -" in told
    assert secret not in told


@pytest.mark.parametrize("secret", ["e", "news", "Hook-Secret-12", "x" * 15])
def test_a_webhook_secret_too_short_to_be_unguessable_is_a_config_error_naming_the_key(secret):
    """The secret is all that keeps others from posting updates, and is masked in every log line: "news"
    was masked in every line that said news."""
    text = f"telegram:\n  webhook: {{enabled: true, url: 'https://bot.example.org/telegram', secret_token: '{secret}'}}\n"
    with pytest.raises(ConfigError) as raised:
        parse_config(text, environ={})
    assert str(raised.value) == (
        f"config: telegram.webhook.secret_token: {len(secret)} character{'s' * (len(secret) > 1)}, too few to be unguessable: at least 16 "
        "(e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
    )


def test_a_webhook_secret_of_16_characters_is_taken():
    text = "telegram:\n  webhook: {enabled: true, url: 'https://bot.example.org/telegram', secret_token: made-up-secret16}\n"
    assert parse_config(text, environ={}).telegram.webhook.secret_token.get_secret_value() == "made-up-secret16"


@pytest.mark.parametrize("written", ["/telegram", "telegram/", "//telegram/", " /telegram"])
def test_a_webhook_path_is_read_without_the_slashes_around_it(written):
    """The server is reached at http://listen:port/<path>: a path written with its slash was logged as …:8443//telegram."""
    assert parse_config(f"telegram:\n  webhook: {{path: '{written}'}}\n").telegram.webhook.path == "telegram"


def test_a_webhook_path_and_url_holding_the_token_lose_the_line_break_it_came_with_as_the_token_does():
    """A token from a secrets file ends in a line break, trimmed from `token`; kept in `path`, the webhook
    listened on "/<token>\\n" while Telegram posted to "/<token>", and every update was a 404."""
    text = "telegram:\n  webhook: {enabled: true, url: 'https://bot.example.org/${TT}', path: '${TT}'}\n"
    webhook = parse_config(text, environ={"TT": "24680:made-up-token\n"}).telegram.webhook
    assert (webhook.path, webhook.url) == ("24680:made-up-token", "https://bot.example.org/24680:made-up-token")


SECRETS_FILE_VALUES = {"TT": "24680:made-up-token\n", "FEEDTOK": "made-up-feed-token-7\r\n", "PW": "made-up-pa55\n"}


def test_a_variable_inside_a_longer_value_loses_the_line_break_a_secrets_file_leaves_it():
    """A value read from a file ($(cat secret), a Docker secret) ends in a line break, which the shell's
    $(…) drops and no config value means: kept in the middle of a url, Telegram was told a webhook at
    ".../<token>\\n/hook", a feed url could not be fetched and a password was refused."""
    text = (
        "telegram:\n  webhook: {enabled: true, url: 'https://bot.example.org/${TT}/hook', path: '${TT}/hook'}\n"
        "storage: {url: 'postgresql://newsbot:${PW}@db.example/newsbot'}\n"
        "sources: [{name: wire, url: 'https://wire.example/feed/${FEEDTOK}/rss'}]\n"
    )
    config = parse_config(text, environ=SECRETS_FILE_VALUES)
    webhook = config.telegram.webhook
    assert (webhook.url, webhook.path) == ("https://bot.example.org/24680:made-up-token/hook", "24680:made-up-token/hook")
    assert config.storage.url == "postgresql://newsbot:made-up-pa55@db.example/newsbot"
    assert config.sources[0].url == "https://wire.example/feed/made-up-feed-token-7/rss"
    assert config.values_in_address_paths == ("made-up-feed-token-7",)


def test_a_feed_token_from_a_secrets_file_is_masked_in_the_logs(caplog):
    from bot.cli import hide_feed_secrets

    text = "sources: [{name: wire, url: 'https://wire.example/feed/${FEEDTOK}/rss'}]\n"
    config = parse_config(text, environ=SECRETS_FILE_VALUES)
    hide_feed_secrets(config.sources, config.values_in_address_paths)
    with caplog.at_level(logging.INFO, logger="httpx"):  # which `newsbot` quiets
        logging.getLogger("httpx").info("HTTP Request: GET %s", "https://wire.example/feed/made-up-feed-token-7/rss")
    assert caplog.messages == ["HTTP Request: GET https://wire.example/feed/[REDACTED]/rss"]


def test_an_empty_webhook_secret_is_none_as_an_empty_token_is():
    text = "telegram:\n  webhook: {enabled: true, url: 'https://bot.example.org/telegram', secret_token: '${HOOK_SECRET:-}'}\n"
    assert parse_config(text, environ={}).telegram.webhook.secret_token is None


@pytest.mark.parametrize(
    "url, shown",
    [
        ("example.org/feed?apikey=MADE-UP-K3Y&lang=en", '"example.org/feed?apikey=***&lang=en" is not a web address'),
        ("reader:MADE-UP-K3Y@example.org/feed", '"***@example.org/feed" is not a web address'),
        ("feed://reader:MADE-UP-K3Y@example.org/feed", '"feed://***@example.org/feed" is not a web address'),
        # a scheme mistyped still leaves the user:password@ after a slash
        ("https:/reader:MADE-UP-K3Y@example.org/feed", '"https:/***@example.org/feed" is not a web address'),
        ("https//reader:MADE-UP-K3Y@example.org/feed", '"https//***@example.org/feed" is not a web address'),
        ("mastodon.example/@reader.rss", '"mastodon.example/@reader.rss" is not a web address'),
        # a password not percent-encoded: its "?" or space is no end of the user part
        ("reader:MADE-UP?K3Y@example.org/feed", '"***@example.org/feed" is not a web address'),
        ("feed://reader:MADE-UP K3Y@example.org/feed", '"feed://***@example.org/feed" is not a web address'),
        # nor is a space or a quote in a credential parameter's value the end of it
        ("example.org/feed?apikey=MADE-UP K3Y&lang=en", '"example.org/feed?apikey=***&lang=en" is not a web address'),
        ('example.org/feed?apikey=MADE-UP"K3Y', '"example.org/feed?apikey=***" is not a web address'),
        # nor an "@" in one (a password such as p@ssw0rd) the end of a user part
        ("feed://example.org/feed?password=MADE@UP-K3Y&lang=en", '"feed://example.org/feed?password=***&lang=en" is not'),
        # a password with a character that reads as "/", "?", "#", "@" or ":" once normalized (℅ is c/o)
        ("https://reader:MADE℅UP-K3Y@example.org/feed", "not a web address: a character of its host or user part"),
    ],
)
def test_a_feed_url_quoted_in_an_error_shows_no_credentials(url, shown):
    with pytest.raises(ConfigError) as raised:
        parse_config(f"sources:\n - {{name: x, url: '{url}'}}", environ={})
    assert f"sources[0].url: {shown}" in str(raised.value) and "K3Y" not in str(raised.value)



def test_a_filter_of_norway_or_a_number_is_read_as_written_not_as_yaml_1_1_reads_it():
    config = parse_config(FILTERED % "{countries: [NO, no, SE], query: 2024}", environ={})
    assert config.schedules[0].filter.countries == ["NO", "no", "SE"]
    assert config.schedules[0].filter.query == "2024"
