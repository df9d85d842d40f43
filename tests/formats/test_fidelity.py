"""A file comes back as it went in, even where its tokens are not the ones spaCy would make.

Documents are drawn as tokens (words split inside, punctuation glued on, as other tools leave
them), sentences, entities on those tokens and documents with no entity at all; they are written as
a CoNLL file, a Prodigy JSONL file and a `.spacy` file, each imported into its own project, and
each project exported to all three formats. The same file comes back line for line (CoNLL), field
for field (Prodigy) and token for token (`.spacy`: words, spaces, entities, spans, sentence starts,
tags); across formats, whatever the target holds comes back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from desktop.formats import ExportOptions, ImportOptions, export_project, import_paths
from tests.formats.conftest import new_project

GLUED = ["L'", "946-2", "29°", "Antimoine:", "C’mon", "(Paris)", "U.S.A.", "aujourd'hui", "l'Europe", "3,5%"]
PIECES = ["hemo", "globin", "Zoë", "Łódź", "été", "Paris", "x", "42", ",", ".", "«", "»", "中文", "😀"]
LABELS = ["PER", "LOC", "ORG", "MISC"]
SETTINGS = settings(
    max_examples=25,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

odd = st.text(
    st.characters(
        exclude_categories=("Cs", "Cc", "Co", "Cn", "Zs", "Zl", "Zp"), exclude_characters="\ufeff|"
    ),
    min_size=1,
    max_size=4,
).filter(lambda w: not any(c.isspace() for c in w) and w != "-DOCSTART-")
word = st.one_of(st.sampled_from(GLUED), st.sampled_from(PIECES), odd)


@dataclass
class FileDoc:
    """One document as a file holds it: tokens, whether a space follows each, sentences, entities."""

    words: list[str]
    spaces: list[bool]
    sent_starts: list[int]
    ents: list[tuple[int, int, str]]
    """(first token, one past the last token, label), never across a sentence break."""
    tags: list[str]

    def text(self) -> str:
        return "".join(w + (" " if s else "") for w, s in zip(self.words, self.spaces, strict=True))

    def sentences(self) -> list[list[int]]:
        bounds = [*self.sent_starts, len(self.words)]
        return [list(range(a, b)) for a, b in zip(bounds, bounds[1:], strict=False)]

    def iob(self) -> list[str]:
        tags = ["O"] * len(self.words)
        for first, last, label in self.ents:
            tags[first] = f"B-{label}"
            for i in range(first + 1, last):
                tags[i] = f"I-{label}"
        return tags


@st.composite
def file_doc(draw: Any, number: int, one_sentence: bool) -> FileDoc:
    n_sents = 1 if one_sentence else draw(st.integers(1, 3))
    words: list[str] = [f"D{number}"]  # a first word of its own: no two documents share a text
    sent_starts = [0]
    for k in range(n_sents):
        if k:
            sent_starts.append(len(words))
        words += draw(st.lists(word, min_size=1, max_size=6))
    # A token glued to the next one (no space between): a split inside a word.
    spaces = draw(st.lists(st.booleans(), min_size=len(words), max_size=len(words)))
    spaces[-1] = False
    ents: list[tuple[int, int, str]] = []
    if draw(st.booleans()):  # otherwise a document with no entity: a negative example
        for sentence in FileDoc(words, spaces, sent_starts, [], []).sentences():
            i = sentence[0]
            while i <= sentence[-1]:
                if draw(st.booleans()):
                    end = draw(st.integers(i + 1, sentence[-1] + 1))
                    ents.append((i, end, draw(st.sampled_from(LABELS))))
                    i = end
                i += 1
    tags = draw(
        st.lists(st.sampled_from(["NN", "VB", "DT", "PUNCT"]), min_size=len(words), max_size=len(words))
    )
    return FileDoc(words, spaces, sent_starts, ents, tags)


@st.composite
def file_docs(draw: Any) -> tuple[list[FileDoc], bool]:
    docstart = draw(st.booleans())  # without -DOCSTART-, a CoNLL file has one sentence a document
    n = draw(st.integers(1, 3))
    return [draw(file_doc(i, not docstart)) for i in range(n)], docstart


# --- the three files ------------------------------------------------------------------------------


def conll_file(docs: list[FileDoc], docstart: bool) -> str:
    out = []
    for doc in docs:
        if docstart:
            out.append("-DOCSTART- -X- O O\n\n")
        tags = doc.iob()
        out.append("\n\n".join("\n".join(f"{doc.words[i]} {tags[i]}" for i in s) for s in doc.sentences()))
        out.append("\n\n")
    return "".join(out)


def prodigy_tasks(docs: list[FileDoc]) -> list[dict[str, Any]]:
    tasks = []
    for n, doc in enumerate(docs):
        text, pos, tokens = doc.text(), 0, []
        for i, (w, sp) in enumerate(zip(doc.words, doc.spaces, strict=True)):
            tokens.append(
                {"text": w, "start": pos, "end": pos + len(w), "id": i, "ws": sp, "disabled": i % 2 == 0}
            )
            pos += len(w) + sp
        spans = [
            {
                "text": text[tokens[a]["start"] : tokens[b - 1]["end"]],
                "start": tokens[a]["start"],
                "end": tokens[b - 1]["end"],
                "token_start": a,
                "token_end": b - 1,
                "label": label,
                "source": "gazetteer",
            }
            for a, b, label in doc.ents
        ]
        task: dict[str, Any] = {
            "text": text,
            "meta": {"source": "wire", "n": n},
            "_input_hash": 1000 + n,
            "_task_hash": -1000 - n,
            "tokens": tokens,
            "_session_id": None,
            "_view_id": "relations" if len(spans) > 1 else "ner_manual",
            "spans": spans,
            "priority": 0.5,
            "answer": "accept",
        }
        if len(spans) > 1:
            head, child = spans[0], spans[1]
            task["relations"] = [
                {
                    "head": head["token_end"],
                    "child": child["token_end"],
                    "head_span": {k: head[k] for k in ("start", "end", "token_start", "token_end", "label")},
                    "child_span": {
                        k: child[k] for k in ("start", "end", "token_start", "token_end", "label")
                    },
                    "color": "#c2f2f6",
                    "label": "rel",
                }
            ]
        tasks.append(task)
    return tasks


def spacy_docs(docs: list[FileDoc]) -> list[Any]:
    from spacy.tokens import Doc, Span
    from spacy.vocab import Vocab

    vocab, out = Vocab(), []
    for doc in docs:
        sdoc = Doc(
            vocab,
            words=doc.words,
            spaces=doc.spaces,
            tags=doc.tags,
            sent_starts=[i in doc.sent_starts for i in range(len(doc.words))],
        )
        ents = [Span(sdoc, a, b, label) for a, b, label in doc.ents]
        sdoc.set_ents(ents, default="outside")
        sdoc.spans["sc"] = ents
        out.append(sdoc)
    return out


def write_files(d: Path, docs: list[FileDoc], docstart: bool) -> dict[str, Path]:
    from spacy.tokens import DocBin

    paths = {"conll": d / "in.conll", "prodigy": d / "in.jsonl", "spacy": d / "in.spacy"}
    paths["conll"].write_text(conll_file(docs, docstart), encoding="utf-8")
    paths["prodigy"].write_text(
        "".join(json.dumps(t, ensure_ascii=False) + "\n" for t in prodigy_tasks(docs)), encoding="utf-8"
    )
    DocBin(docs=spacy_docs(docs), store_user_data=True).to_disk(paths["spacy"])
    return paths


# --- what comes back --------------------------------------------------------------------------------


def read_spacy(path: Path) -> list[Any]:
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    return list(DocBin().from_disk(path).get_docs(Vocab()))


def spacy_view(sdoc: Any, spaces: bool, sentences: bool, tags: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "words": [t.text for t in sdoc],
        "ents": [(e.start, e.end, e.label_) for e in sdoc.ents],
        "sc": sorted((s.start, s.end, s.label_) for s in sdoc.spans.get("sc", [])),
    }
    if spaces:
        view["spaces"] = [bool(t.whitespace_) for t in sdoc]
    if sentences:
        view["sent_starts"] = [t.i for t in sdoc if t.is_sent_start]
    if tags:
        view["tags"] = [t.tag_ for t in sdoc]
    return view


def expected_view(doc: FileDoc, spaces: bool, sentences: bool, tags: bool) -> dict[str, Any]:
    view: dict[str, Any] = {"words": doc.words, "ents": doc.ents, "sc": sorted(doc.ents)}
    if spaces:
        view["spaces"] = doc.spaces
    if sentences:
        view["sent_starts"] = doc.sent_starts
    if tags:
        view["tags"] = doc.tags
    return view


def tokens_and_spans(task: dict[str, Any]) -> tuple[list[str], list[tuple[int, int, str, str]]]:
    """What a Prodigy task says whatever made it: token texts, and spans by token with their text."""
    words = [t["text"] for t in task["tokens"]]
    text = task["text"]
    return words, [
        (s["token_start"], s["token_end"], s["label"], text[s["start"] : s["end"]]) for s in task["spans"]
    ]


def expected_tokens_and_spans(doc: FileDoc) -> tuple[list[str], list[tuple[int, int, str, str]]]:
    text = doc.text()
    starts = [
        len("".join(w + " " * s for w, s in zip(doc.words[:i], doc.spaces[:i], strict=True)))
        for i in range(len(doc.words))
    ]
    return doc.words, [
        (a, b - 1, label, text[starts[a] : starts[b - 1] + len(doc.words[b - 1])]) for a, b, label in doc.ents
    ]


@SETTINGS
@given(drawn=file_docs())
def test_files_come_back_as_they_went_in(drawn: tuple[list[FileDoc], bool], workdir: Any) -> None:
    docs, docstart = drawn
    d = workdir()
    inputs = write_files(d, docs, docstart)
    for source, path in inputs.items():
        project = new_project(d / f"{source}.db")
        report = import_paths(project, [path], source, ImportOptions(annotator="alice"))
        assert report.added == len(docs)
        # Every document is an accepted annotation, those with no entity too.
        assert len(list(project.iter_annotations("alice"))) == len(docs)
        outs = {}
        for target, name in (("conll", "out.conll"), ("prodigy", "out.jsonl"), ("spacy", "out.spacy")):
            outs[target] = d / source / name
            # Strict: nothing may be lost, except relations in CoNLL, which cannot hold them.
            strict = not (source == "prodigy" and target == "conll")
            result = export_project(
                project, outs[target], target, ExportOptions(source="alice", strict=strict)
            )
            assert result.documents == len(docs)
        project.close()
        check_conll(source, outs["conll"], inputs["conll"], docs, docstart)
        check_prodigy(source, outs["prodigy"], inputs["prodigy"], docs)
        check_spacy(source, outs["spacy"], docs)


def check_conll(source: str, out: Path, given: Path, docs: list[FileDoc], docstart: bool) -> None:
    written = out.read_text(encoding="utf-8")
    if source == "conll":
        assert written == given.read_text(encoding="utf-8")  # line for line
        return
    # From elsewhere: the same tokens and tags; sentence breaks where the source had them.
    if source == "spacy":
        assert written == conll_file(docs, True)
    else:  # Prodigy has no sentences: one per document
        whole = [FileDoc(d.words, d.spaces, [0], d.ents, d.tags) for d in docs]
        assert written == conll_file(whole, True)


def check_prodigy(source: str, out: Path, given: Path, docs: list[FileDoc]) -> None:
    tasks = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    if source == "prodigy":
        originals = [json.loads(line) for line in given.read_text(encoding="utf-8").splitlines()]
        for task, original in zip(tasks, originals, strict=True):
            assert {k: task.get(k, "<missing>") for k in original} == original  # field for field
            assert set(task) - set(original) == {"_annotator_id"}  # Etiquette adds only what was not there
        return
    if source == "conll":  # a CoNLL file has no spaces: its text has one after each token
        docs = [FileDoc(d.words, [True] * (len(d.words) - 1) + [False], [0], d.ents, d.tags) for d in docs]
    assert [tokens_and_spans(t) for t in tasks] == [expected_tokens_and_spans(doc) for doc in docs]


def check_spacy(source: str, out: Path, docs: list[FileDoc]) -> None:
    spaces = source != "conll"  # a CoNLL file has no spaces: its text has one after each token
    sentences = source != "prodigy"  # nor has a Prodigy task sentences
    tags = source == "spacy"
    got = [spacy_view(sdoc, spaces, sentences, tags) for sdoc in read_spacy(out)]
    assert got == [expected_view(doc, spaces, sentences, tags) for doc in docs]


# --- single behaviours ---------------------------------------------------------------------------


def test_a_known_text_with_other_tokens_keeps_its_stored_tokens(tmp_path: Path) -> None:
    project = new_project(tmp_path / "p.db")
    (tmp_path / "a.conll").write_text("L' O\nEurope B-LOC\n", encoding="utf-8")
    import_paths(project, [tmp_path / "a.conll"])
    [before] = list(project.iter_documents())
    task = {
        "text": "L' Europe",
        "tokens": [{"text": "L", "start": 0, "end": 1}, {"text": "' Europe", "start": 1, "end": 9}],
        "spans": [],
        "answer": "accept",
    }
    (tmp_path / "b.jsonl").write_text(json.dumps(task) + "\n", encoding="utf-8")
    report = import_paths(project, [tmp_path / "b.jsonl"])
    assert report.files[0].not_imported == {
        "texts already in the project with other tokens (the stored tokens kept)": 1
    }
    [after] = list(project.iter_documents())
    assert after.tokens == before.tokens
    assert [after.text[t.start : t.end] for t in after.tokens] == ["L'", "Europe"]


def test_tokens_that_do_not_fit_the_text_are_an_error_naming_the_line(tmp_path: Path) -> None:
    from desktop.formats import FormatError

    project = new_project(tmp_path / "p.db")
    task = {"text": "Paris", "tokens": [{"text": "Paris", "start": 0, "end": 9}], "spans": []}
    (tmp_path / "bad.jsonl").write_text("\n" + json.dumps(task) + "\n", encoding="utf-8")
    try:
        import_paths(project, [tmp_path / "bad.jsonl"])
    except FormatError as e:
        assert str(e).startswith(f"{tmp_path / 'bad.jsonl'}:2: token 0-9 does not fit the text")
    else:
        raise AssertionError("no error")
    assert project.document_count() == 0


def test_a_span_off_the_tokens_is_reported_in_every_format_and_refused_by_strict(
    tmp_path: Path, fr_tokenize: Any
) -> None:
    from desktop.formats import ExportLossError
    from desktop.model import Status
    from tests.formats.conftest import build_project

    # "globin" inside the one token "hemoglobin", as an Alt-selection in the window makes it.
    project = build_project(
        tmp_path / "p.db", [("La hemoglobin monte.", [(7, 13, "MISC")], [], Status.ACCEPTED)], fr_tokenize
    )
    for fmt, name, reason in [
        ("spacy", "x.spacy", "spans not aligned to tokens"),
        ("conll", "x.conll", "spans not aligned to tokens"),
        ("prodigy", "x.jsonl", "spans not aligned to tokens (written without token indices)"),
        ("doccano", "d.jsonl", "spans not aligned to tokens (written by characters)"),
        ("brat", "brat", "spans not aligned to tokens (written by characters)"),
    ]:
        report = export_project(project, tmp_path / fmt / name, fmt, ExportOptions(source="alice"))
        assert [(loss.document_id, loss.reasons) for loss in report.losses] == [(1, {reason: 1})], fmt
        try:
            export_project(
                project, tmp_path / "strict" / name, fmt, ExportOptions(source="alice", strict=True)
            )
        except ExportLossError:
            pass
        else:
            raise AssertionError(f"{fmt}: --strict let it through")
        assert not (tmp_path / "strict" / name).exists()
    [task] = [json.loads(x) for x in (tmp_path / "prodigy" / "x.jsonl").read_text().splitlines()]
    assert task["spans"] == [{"start": 7, "end": 13, "text": "globin", "label": "MISC"}]


def test_conll_never_writes_an_entity_across_a_sentence_break(tmp_path: Path) -> None:
    from spacy.tokens import Doc, DocBin, Span
    from spacy.vocab import Vocab

    from desktop.formats import ExportLossError

    sdoc = Doc(Vocab(), words=["Rue", "de", "Paris", "."], sent_starts=[True, False, True, False])
    sdoc.ents = [Span(sdoc, 0, 3, "LOC")]
    DocBin(docs=[sdoc]).to_disk(tmp_path / "in.spacy")
    project = new_project(tmp_path / "p.db")
    import_paths(project, [tmp_path / "in.spacy"], "spacy", ImportOptions(annotator="alice"))
    report = export_project(project, tmp_path / "out.conll", "conll", ExportOptions(source="alice"))
    assert report.lost == {"entities across a sentence break (written as two)": 1}
    assert (tmp_path / "out.conll").read_text() == (
        "-DOCSTART- -X- O O\n\nRue B-LOC\nde I-LOC\n\nParis B-LOC\n. O\n\n"
    )
    try:
        export_project(project, tmp_path / "s.conll", "conll", ExportOptions(source="alice", strict=True))
    except ExportLossError:
        pass
    else:
        raise AssertionError("--strict let it through")


def test_conll_columns_and_docstart_come_back(tmp_path: Path) -> None:
    given = (
        "-DOCSTART- -X- O O\n\nI PRP _ O\nlike VBP _ O\nLondon NNP _ B-GPE\n\n"
        "New NNP _ B-GPE\nYork NNP _ I-GPE\n\n"
    )
    (tmp_path / "in.conll").write_text(
        given.replace(" ", "\t").replace("-DOCSTART-\t-X-\tO\tO", "-DOCSTART- -X- -X- O")
    )
    project = new_project(tmp_path / "p.db")
    import_paths(project, [tmp_path / "in.conll"], "conll", ImportOptions(annotator="alice"))
    export_project(project, tmp_path / "out.conll", "conll", ExportOptions(source="alice"))
    assert (tmp_path / "out.conll").read_text() == given  # one space between columns, one -DOCSTART- form


def test_docbin_tags_lemmas_and_parse_come_back(tmp_path: Path) -> None:
    from spacy.tokens import Doc, DocBin
    from spacy.vocab import Vocab

    words = ["Le", "chat", "dort", "."]
    sdoc = Doc(
        Vocab(),
        words=words,
        spaces=[True, True, False, False],
        tags=["DET", "NOUN", "VERB", "PUNCT"],
        pos=["DET", "NOUN", "VERB", "PUNCT"],
        morphs=["Gender=Masc", "Number=Sing", "", ""],
        lemmas=["le", "chat", "dormir", "."],
        heads=[1, 2, 2, 2],
        deps=["det", "nsubj", "ROOT", "punct"],
    )
    sdoc.set_ents([], default="outside")  # entities annotated: none
    DocBin(docs=[sdoc]).to_disk(tmp_path / "in.spacy")
    project = new_project(tmp_path / "p.db")
    import_paths(project, [tmp_path / "in.spacy"], "spacy", ImportOptions(annotator="alice"))
    report = export_project(project, tmp_path / "out.spacy", "spacy", ExportOptions(source="alice"))
    assert report.documents == 1 and not report.lost  # all O: an accepted document, a negative example
    [back] = read_spacy(tmp_path / "out.spacy")

    def attrs(d: Any) -> list[tuple[Any, ...]]:
        return [(t.text, t.whitespace_, t.tag_, t.pos_, str(t.morph), t.lemma_, t.head.i, t.dep_) for t in d]

    assert attrs(back) == attrs(sdoc)
