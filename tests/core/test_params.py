import copy

import pytest
import yaml

from conftest import ROOT
from rnnpipe.core.errors import ParamsError
from rnnpipe.core.params import load_params, validate
from rnnpipe.text.params import TEXT_SCHEMA

DEFAULTS = yaml.safe_load((ROOT / "params.yaml").read_text())


def with_change(section, key, value):
    params = copy.deepcopy(DEFAULTS)
    params[section][key] = value
    return params


def test_committed_params_are_valid_and_cover_the_schema():
    params = load_params(ROOT / "params.yaml", TEXT_SCHEMA)
    assert {s: set(v) for s, v in params.items()} == {s: set(v) for s, v in TEXT_SCHEMA.items()}


def test_every_param_is_declared_by_exactly_the_stages_that_read_it():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    # check_params reads the whole file (`- params.yaml:`, every key); every other stage names its
    # leaves.
    assert stages.pop("check_params")["params"] == [{"params.yaml": None}]
    declared = {p for stage in stages.values() for p in stage.get("params", [])}
    assert declared == {f"{s}.{k}" for s, keys in TEXT_SCHEMA.items() for k in keys}


def test_typo_in_a_key_suggests_the_right_one():
    params = copy.deepcopy(DEFAULTS)
    params["train"]["lrr"] = params["train"].pop("lr")
    with pytest.raises(ParamsError, match=r"unknown key 'train.lrr'. Did you mean 'lr'\?"):
        validate(params, TEXT_SCHEMA)


def test_typo_in_a_section_suggests_the_right_one():
    params = copy.deepcopy(DEFAULTS)
    params["trian"] = params.pop("train")
    with pytest.raises(ParamsError, match=r"unknown section 'trian'. Did you mean 'train'\?"):
        validate(params, TEXT_SCHEMA)


@pytest.mark.parametrize(
    "section, key, value, message",
    [
        ("pad", "maxlen", 0, r"'pad.maxlen' is 0, out of range"),
        ("tokenize", "num_words", 2, r"'tokenize.num_words' is 2, out of range"),
        (
            "train",
            "dropout",
            1.0,
            r"'train.dropout' is 1.0, out of range; Expected 0.0 <= value < 1.0",
        ),
        ("train", "cell", "transformer", r"allowed: rnn, lstm, gru"),
        ("train", "optimizer", "adamw", r"allowed: adam, rmsprop, adagrad, sgd"),
        ("pad", "padding", "both", r"allowed: pre, post"),
        ("train", "lr", "fast", r"'train.lr' must be float, got 'fast'"),
        ("train", "epochs", 2.5, r"'train.epochs' must be int"),
        ("train", "bidirectional", 1, r"'train.bidirectional' must be bool"),
        ("train", "ensemble_cells", "gru", r"'train.ensemble_cells' must be list"),
        (
            "train",
            "ensemble_cells",
            ["gru", "transformer"],
            r"'train.ensemble_cells' holds 'transformer'; each item must "
            r"be one of: rnn, lstm, gru",
        ),
        ("train", "ema_decay", 1.0, r"'train.ema_decay' is 1.0, out of range"),
    ],
)
def test_bad_values_name_the_key_and_what_is_allowed(section, key, value, message):
    with pytest.raises(ParamsError, match=message):
        validate(with_change(section, key, value), TEXT_SCHEMA)


def test_integers_are_accepted_for_floats():
    assert validate(with_change("train", "lr", 1), TEXT_SCHEMA)["train"]["lr"] == 1.0


def test_params_files_stage_deps_and_docs_tables_are_rendered_from_the_source(tmp_path):
    """Each default and meaning is written once (the schema's rules), each stage's code deps are
    what its script imports: every params file, every dvc.yaml and the docs' params tables must
    be exactly what `python -m rnnpipe.render` renders from them."""
    from rnnpipe.render import main, rendered_files

    for path, text in rendered_files(ROOT).items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} differs from the source; run python -m rnnpipe.render"
        )
    assert main(["--check"]) == 0


def test_rendered_params_files_read_back_as_the_schema_defaults(tmp_path):
    from rnnpipe.core.params import defaults
    from rnnpipe.render import PIPELINES, render_params_file

    for pipeline in PIPELINES.values():
        path = tmp_path / f"{pipeline.name}.yaml"
        path.write_text(render_params_file(pipeline.schema, pipeline.header()))
        assert load_params(path, pipeline.schema) == defaults(pipeline.schema)


def test_training_settings_take_their_defaults_from_the_shared_rules():
    from dataclasses import fields

    from rnnpipe.core.params import BUCKET_BATCHES, SELECT_ON, TRAINING_RULES
    from rnnpipe.training.loop import TrainSettings

    settings = TrainSettings()
    for field in fields(TrainSettings):
        rule = {"bucket_batches": BUCKET_BATCHES, "select_on": SELECT_ON}.get(
            field.name
        ) or TRAINING_RULES[field.name]
        assert getattr(settings, field.name) == rule.default, field.name
    assert (
        TrainSettings.from_params(load_params(ROOT / "params.yaml", TEXT_SCHEMA)["train"])
        == settings
    )


def test_a_params_error_names_the_file_that_was_read(tmp_path):
    from rnnpipe.forecast.params import FORECAST_SCHEMA

    (tmp_path / ".dvc").mkdir()  # a DVC project: the message names the file from its root
    path = tmp_path / "forecast" / "params.yaml"
    path.parent.mkdir()
    params = yaml.safe_load((ROOT / "forecast" / "params.yaml").read_text())
    params["download"]["sha256"] = "abc"
    path.write_text(yaml.safe_dump(params))
    with pytest.raises(
        ParamsError, match=r"^forecast/params\.yaml: 'download\.sha256' is 'abc'; expected auto"
    ):
        load_params(path, FORECAST_SCHEMA)


def test_every_list_param_survives_dvc_exp_runs_setting_it_and_emptying_it_again(tmp_path):
    """`dvc exp run -S key=[gru]` then `-S key=[]` corrupted params.yaml when the key carried an
    end-of-line comment. DVC applies -S through dvc.utils.serialize.modify_yaml; run that exact
    sequence on every list param of every rendered params file."""
    from dvc.utils.serialize import load_yaml, modify_yaml

    from rnnpipe.core.params import defaults
    from rnnpipe.render import PIPELINES, render_params_file

    for name, pipeline in PIPELINES.items():
        schema = pipeline.schema
        path = tmp_path / f"{name}.yaml"
        path.write_text(render_params_file(schema, pipeline.header()))
        lists = [
            (section, key)
            for section, rules in schema.items()
            for key, rule in rules.items()
            if isinstance(rule.default, list)
        ]
        for section, key in lists:
            for value in (["a"], [], ["a", "b"], [], schema[section][key].default):
                with modify_yaml(str(path)) as data:
                    data[section][key] = value
                assert load_yaml(str(path))[section][key] == value, (name, section, key, value)
        assert load_params(path, schema) == defaults(schema)
    assert any(
        isinstance(rule.default, list) for rule in TEXT_SCHEMA["train"].values()
    )  # the case of the issue


@pytest.mark.parametrize("pipeline", ["text", "trees"])
def test_glove_package_with_another_dim_is_refused_by_every_stage_before_any_work(pipeline):
    """A combination only the embed stage could act on is caught by whichever stage runs first."""
    from rnnpipe.core.params import defaults
    from rnnpipe.trees.params import TREES_SCHEMA

    schema = {"text": TEXT_SCHEMA, "trees": TREES_SCHEMA}[pipeline]
    params = defaults(schema)
    params["embed"].update({"source": "glove-package", "dim": 100})
    with pytest.raises(
        ParamsError,
        match=r"params.yaml: embed.source=glove-package holds 50-dimensional vectors but "
        r"embed.dim is 100; set embed.dim=50",
    ):
        validate(params, schema)
    params["embed"]["dim"] = 50
    assert validate(params, schema)["embed"]["dim"] == 50


def pipeline_defaults(name):
    from rnnpipe.render import PIPELINES

    schema = PIPELINES[name].schema
    return yaml.safe_load((ROOT / PIPELINES[name].params_file).read_text()), schema


@pytest.mark.parametrize(
    "pipeline, changes, message",
    [
        # Refused without data, by check_params: before any stage's outputs are removed.
        ("forecast", {"window": {"target": ""}}, r"'window.target' is ''; it must not be empty"),
        ("forecast", {"window": {"target": "  "}}, r"'window.target' is '  '; it must not be"),
        ("forecast", {"window": {"lookback": 10**9}}, r"'window.lookback' is 1000000000, out of"),
        ("forecast", {"window": {"delay": 10**9}}, r"'window.delay' is 1000000000, out of range"),
        (
            "forecast",
            {"window": {"lookback": 4, "step": 6}},
            r"window.step \(6\) is larger than window.lookback \(4\)",
        ),
        (
            "forecast",
            {"prepare": {"val_start": "2016-01-01"}},
            r"prepare.val_start is set but prepare.test_start is empty",
        ),
        ("text", {"download": {"text_column": ""}}, r"'download.text_column' is ''; it must not"),
        ("text", {"download": {"path": ""}}, r"'download.path' is ''; it must not be empty"),
        ("tagging", {"download": {"tags_column": ""}}, r"'download.tags_column' is ''"),
        ("sequences", {"download": {"label_column": ""}}, r"'download.label_column' is ''"),
        ("trees", {"download": {"path": ""}}, r"'download.path' is ''"),
        (
            "sequences",
            {"window": {"stride": 5, "length": 0}},
            r"window.stride=5 acts only on windows, but window.length is 0",
        ),
        (
            "sequences",
            {"window": {"label": "pure", "stride": 2, "length": 0}},
            r"window.stride=2 and window.label=pure act only on windows",
        ),
        (
            "sequences",
            {"prepare": {"test_groups": ["7"]}},
            r"prepare.test_groups names test groups, but download.group_column is empty",
        ),
        (
            "sequences",
            {"prepare": {"val_fraction": 0.5, "test_fraction": 0.5}},
            r"\+ prepare.test_fraction \(0.5\) must stay below 1",
        ),
    ],
)
def test_values_that_cannot_work_are_refused_without_data(pipeline, changes, message):
    params, schema = pipeline_defaults(pipeline)
    for section, values in changes.items():
        params[section].update(values)
    with pytest.raises(ParamsError, match=message):
        validate(params, schema)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"train:\n  lr: \xff\xfe\n", r"not UTF-8 text \(byte 14, line 2\); save the params"),
        (b"\x7fELF\x02\x01\x01\x00\x00\xff", r"NUL bytes, is it a binary file\?"),
        (("data: " + "[" * 5000).encode(), r"nested too deeply to read"),
    ],
)
def test_unreadable_params_files_are_named_not_a_traceback(tmp_path, content, message):
    (tmp_path / "params.yaml").write_bytes(content)
    with pytest.raises(ParamsError, match=r"params.yaml: .*" + message):
        load_params(tmp_path / "params.yaml", TEXT_SCHEMA)


@pytest.mark.parametrize("name", ["text", "tagging", "forecast", "sequences", "trees"])
def test_dvc_rewriting_a_params_file_changes_no_line_it_did_not_set(name, tmp_path):
    """`dvc exp run -S key=value` rewrites the whole params file with ruamel.yaml: every other line
    must come back as rendered (a quoted filter or list once changed quoting on every run)."""
    from dvc.utils.serialize import modify_yaml

    from rnnpipe.render import PIPELINES

    rendered = (ROOT / PIPELINES[name].params_file).read_text()
    copy = tmp_path / "params.yaml"
    copy.write_text(rendered)
    with modify_yaml(str(copy)) as params:
        params["train"]["seed"] = params["train"]["seed"]
    assert copy.read_text() == rendered
