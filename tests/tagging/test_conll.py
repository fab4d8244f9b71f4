"""Reading tagged sentences: CoNLL-U the UD way, CoNLL columns, token-list tables, UD folders and
archives."""

import io
import re
import tarfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from rnnpipe.core.errors import DataError
from rnnpipe.tagging.conll import read_conll_columns, read_conllu, read_tagged_table, ud_split_files
from rnnpipe.tagging.datasets import assign_sentence_splits, read_tagged

CONLLU = (
    "# newdoc id = d1\r\n"
    "# sent_id = 1\r\n"
    "# text = I don't know.\r\n"
    "1\tI\tI\tPRON\tPRP\t_\t3\tnsubj\t_\t_\r\n"
    "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\r\n"
    "2\tdo\tdo\tAUX\tVBP\t_\t4\taux\t_\t_\r\n"
    "3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t_\t_\r\n"
    "4\tknow\tknow\tVERB\tVB\t_\t0\troot\t_\t_\r\n"
    "4.1\tit\tit\tPRON\tPRP\t_\t_\t_\t4:obj\t_\r\n"
    "5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_\r\n"
    "\r\n"
    "# sent_id = 2\r\n"
    "1\tYes\tyes\tINTJ\tUH\t_\t0\troot\t_\t_\r\n"
    "\r\n"
)


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def test_conllu_tags_the_words_of_multiword_tokens_and_skips_empty_nodes(tmp_path):
    sentences = read_conllu(write(tmp_path / "x.conllu", CONLLU))
    assert [s.tokens for s in sentences] == [["I", "do", "n't", "know", "."], ["Yes"]]
    assert [s.tags for s in sentences] == [["PRON", "AUX", "PART", "VERB", "PUNCT"], ["INTJ"]]
    assert [s.line for s in sentences] == [1, 12]
    assert read_conllu(tmp_path / "x.conllu", "xpos")[0].tags == ["PRP", "VBP", "RB", "VB", "."]


def test_a_word_without_the_chosen_tag_is_named_by_file_and_line(tmp_path):
    path = write(tmp_path / "x.conllu", CONLLU.replace("\tAUX\tVBP\t", "\tAUX\t_\t"))
    with pytest.raises(DataError, match=r"x.conllu, line 6: the word 'do' has no 'xpos' value"):
        read_conllu(path, "xpos")
    with pytest.raises(DataError, match=r"line 4: the word 'I' has no 'lemma_typo' value"):
        read_conllu(path, "lemma_typo")


CONLL = (
    "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n\n"
    "Peter NNP B-NP B-PER\n"
)


def test_conll_columns_skip_docstart_and_pick_the_tag_column_by_index(tmp_path):
    path = write(tmp_path / "train.txt", CONLL)
    sentences = read_conll_columns(path, "-1")
    assert [s.tokens for s in sentences] == [["EU", "rejects", "German"], ["Peter"]]
    assert [s.tags for s in sentences] == [["B-ORG", "O", "B-MISC"], ["B-PER"]]
    assert read_conll_columns(path, "1")[0].tags == ["NNP", "VBZ", "JJ"]
    with pytest.raises(DataError, match=r"train.txt, line 3: no tag column 7 in 4 columns"):
        read_conll_columns(path, "7")
    with pytest.raises(DataError, match=r"CoNLL column files name their tag column by index"):
        read_conll_columns(path, "upos")


def test_a_conll_line_holding_only_a_token_is_refused_not_tagged_with_itself(tmp_path):
    path = write(tmp_path / "train.txt", "EU B-ORG\nrejects O\nGerman\n\nPeter B-PER\n")
    with pytest.raises(
        DataError,
        match=r"train.txt, line 3: no tag column -1 in 1 column \('German'\); give every token "
        r"line its tag",
    ):
        read_conll_columns(path, "-1")


def test_a_table_with_unequal_tokens_and_tags_is_refused_by_row(tmp_path):
    path = tmp_path / "tagged.jsonl"
    pd.DataFrame({"tokens": [["a", "b"], ["c", "d"]], "tags": [["X", "Y"], ["Z"]]}).to_json(
        path, orient="records", lines=True
    )
    frame = pd.DataFrame({"tokens": [["a", "b"]], "tags": [["X", "Y"]]})
    assert read_tagged_table(path, "tokens", "tags")[0].tokens == ["a", "b"]
    with pytest.raises(DataError, match=r"tagged.jsonl, row 2: 2 tokens but 1 tags"):
        read_tagged(
            "table",
            path,
            {"tokens_column": "tokens", "tags_column": "tags", "split_column": "split"},
        )
    frame.to_parquet(tmp_path / "t.parquet")
    with pytest.raises(DataError, match=r"no column 'words' \(download.tokens_column\)"):
        read_tagged_table(tmp_path / "t.parquet", "words", "tags")


def test_an_empty_sentence_and_a_file_without_sentences_are_refused(tmp_path):
    with pytest.raises(DataError, match=r"x.conllu, line 1: a sentence without words"):
        read_conllu(write(tmp_path / "x.conllu", "1-2\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n\n"))
    empty = write(tmp_path / "empty.conllu", "# just a comment\n")
    with pytest.raises(DataError, match=r"empty.conllu: no sentences"):
        read_tagged("conllu", empty, {"tag_column": "upos"})


def ud_folder(root: Path, with_dev: bool = True) -> Path:
    folder = root / "UD_Toy"
    folder.mkdir(parents=True)
    for split in ("train", "dev", "test") if with_dev else ("train", "test"):
        write(folder / f"xx_toy-ud-{split}.conllu", CONLLU * (4 if split == "train" else 1))
    return folder


def test_a_ud_folder_gives_the_splits_and_validation_is_carved_only_without_dev(tmp_path):
    frame = read_tagged("conllu", ud_folder(tmp_path / "a"), {"tag_column": "upos"})
    assert frame.groupby("split").size().to_dict() == {"test": 2, "train": 8, "validation": 2}
    assert assign_sentence_splits(frame, 0.2, 0.5, 0).groupby("split").size().to_dict() == {
        "test": 2,
        "train": 8,
        "validation": 2,
    }
    without_dev = read_tagged(
        "conllu", ud_folder(tmp_path / "b", with_dev=False), {"tag_column": "upos"}
    )
    carved = assign_sentence_splits(without_dev, 0.2, 0.5, 0)
    assert (
        set(carved["split"]) == {"train", "validation", "test"}
        and (carved["split"] == "test").sum() == 2
    )


@pytest.mark.parametrize("suffix", [".zip", ".tgz"])
def test_a_ud_release_archive_is_read_like_its_folder(tmp_path, suffix):
    folder = ud_folder(tmp_path / "release")
    archive = tmp_path / f"ud-treebanks{suffix}"
    if suffix == ".zip":
        with zipfile.ZipFile(archive, "w") as out:
            for path in folder.iterdir():
                out.write(path, f"ud-treebanks-v2/UD_Toy/{path.name}")
            out.writestr("ud-treebanks-v2/README.txt", "not a treebank")
    else:
        with tarfile.open(archive, "w:gz") as out:
            for path in folder.iterdir():
                out.add(path, f"ud-treebanks-v2/UD_Toy/{path.name}")
    frame = read_tagged("conllu", archive, {"tag_column": "upos"})
    assert frame.groupby("split").size().to_dict() == {"test": 2, "train": 8, "validation": 2}


@pytest.mark.parametrize("member", ["../../evil.conllu", "/tmp/evil.conllu", "a/../../evil.conllu"])
@pytest.mark.parametrize("suffix", [".zip", ".tgz"])
def test_an_archive_with_a_member_outside_its_folder_is_refused_by_name(tmp_path, suffix, member):
    folder = ud_folder(tmp_path / "release")
    archive = tmp_path / f"ud-treebanks{suffix}"
    data = b"# escape attempt"
    if suffix == ".zip":
        with zipfile.ZipFile(archive, "w") as out:
            for path in folder.iterdir():
                out.write(path, f"UD_Toy/{path.name}")
            out.writestr(zipfile.ZipInfo(member), data)
    else:
        with tarfile.open(archive, "w:gz") as out:
            for path in folder.iterdir():
                out.add(path, f"UD_Toy/{path.name}")
            info = tarfile.TarInfo(member)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    with pytest.raises(DataError, match=rf"member '{re.escape(member)}' has an absolute path"):
        read_tagged("conllu", archive, {"tag_column": "upos"})
    assert not (tmp_path.parent / "evil.conllu").exists()


def test_two_treebanks_in_one_folder_are_refused(tmp_path):
    ud_folder(tmp_path / "all")
    second = ud_folder(tmp_path / "all" / "other")
    (second / "xx_toy-ud-train.conllu").rename(second / "yy_toy-ud-train.conllu")
    with pytest.raises(
        DataError, match=r"two dev files \(UD_Toy/xx_toy-ud-dev.conllu, other/UD_Toy/xx_toy-ud-dev"
    ):
        ud_split_files(tmp_path / "all")


EWT = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "ud_english_ewt"


@pytest.mark.skipif(not EWT.is_dir(), reason=f"UD English EWT not found at {EWT}")
def test_the_real_ewt_files_read_with_the_official_counts():
    frame = read_tagged("conllu", EWT, {"tag_column": "upos"})
    assert frame.groupby("split").size().to_dict() == {
        "test": 2077,
        "train": 12544,
        "validation": 2001,
    }
    assert int(frame.loc[frame["split"] == "train", "tokens"].map(len).sum()) == 204577
    assert frame["tags"].explode().nunique() == 17


@pytest.mark.parametrize("archive", [None, ".tgz"])
def test_conll_2003_split_files_are_read_as_their_splits(tmp_path, archive, capsys):
    # eng.train / eng.testa / eng.testb: train, development (validation), test
    folder = tmp_path / "conll2003"
    folder.mkdir()
    for name, copies in (("eng.train", 5), ("eng.testa", 2), ("eng.testb", 3)):
        write(folder / name, (CONLL + "\n") * copies)
    write(folder / "README.eng", "not data")
    path = folder
    if archive:
        path = tmp_path / f"conll2003{archive}"
        with tarfile.open(path, "w:gz") as out:
            for file in folder.iterdir():
                out.add(file, f"conll2003/{file.name}")
    frame = read_tagged("conll", path, {"tag_column": "-1"})
    assert frame.groupby("split").size().to_dict() == {"test": 6, "train": 10, "validation": 4}
    assert "eng.testa (validation)" in capsys.readouterr().out
    # the train file alone is read alone, and the note names the split files beside it
    alone = read_tagged("conll", folder / "eng.train", {"tag_column": "-1"})
    assert alone["split"].isna().all() and len(alone) == 10
    note = capsys.readouterr().out
    assert "beside it eng.testa, eng.testb name other splits" in note


def test_a_conll_folder_without_a_training_file_is_refused_by_name(tmp_path):
    write(tmp_path / "eng.testa", CONLL)
    with pytest.raises(DataError, match=r"no training file; .* eng.train / eng.testa"):
        read_tagged("conll", tmp_path, {"tag_column": "-1"})


def test_tag_column_minus_one_from_dvc_s_is_taken_as_the_docs_say(tmp_path):
    # `-S download.tag_column=-1` writes the YAML number -1
    from rnnpipe.core.params import load_params
    from rnnpipe.tagging.params import TAGGING_SCHEMA

    shipped = (Path(__file__).parents[2] / "tagging/params.yaml").read_text()
    path = tmp_path / "params.yaml"
    path.write_text(re.sub(r"tag_column: \w+", "tag_column: -1", shipped))
    assert load_params(path, TAGGING_SCHEMA)["download"]["tag_column"] == "-1"
