"""The project file: creation, opening, edits that land at once, the edit log, and bad files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.model import Origin, Relation, SchemeError, Span, Status
from desktop.store import NewDocument, NotAProjectError, Project, ProjectError
from desktop.store.project import encode_tokens


def whitespace_tokens(texts):  # a stand-in tokenizer: words between spaces
    for text in texts:
        tokens, start = [], None
        for i, ch in enumerate(text + " "):
            if ch.isspace():
                if start is not None:
                    tokens.append((start, i))
                start = None
            elif start is None:
                start = i
        yield tokens


def add(project: Project, *texts: str) -> list[int]:
    return project.add_documents([NewDocument(t) for t in texts], whitespace_tokens).ids


def rows(path: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_reimporting_the_same_text_is_counted_not_added(project: Project) -> None:
    first = project.add_documents(
        [NewDocument("Bonjour Moscou"), NewDocument("Salut Kiev")], whitespace_tokens
    )
    again = project.add_documents(
        [NewDocument("Bonjour Moscou"), NewDocument("Bonjour Moscou")], whitespace_tokens
    )
    assert (first.added, first.duplicates) == (2, 0)
    assert (again.added, again.duplicates) == (0, 2)
    assert project.document_count() == 2


def test_an_import_that_fails_leaves_nothing(project: Project) -> None:
    add(project, "déjà là")

    def broken(texts):
        yield from whitespace_tokens(list(texts)[:1])
        raise ValueError("tokenizer failed")

    with pytest.raises(ValueError):
        project.add_documents([NewDocument("un"), NewDocument("deux")], broken)
    assert project.document_count() == 1


def test_each_edit_is_on_disk_when_the_call_returns(project: Project) -> None:
    (doc,) = add(project, "Dmitry Peskov parle pour le Kremlin")
    project.start_annotation(doc, "alice")
    peskov = project.add_span(doc, "alice", Span(0, 13, "PER"))
    kremlin = project.add_span(doc, "alice", Span(28, 35, "ORG"))
    project.add_relation(doc, "alice", Relation(peskov.id, kremlin.id, "porte_parole"))
    # Another connection (another process) sees every edit without any save.
    assert rows(
        project.path, 'SELECT start, "end", label, token_start, token_end FROM spans ORDER BY start'
    ) == [(0, 13, "PER", 0, 2), (28, 35, "ORG", 5, 6)]
    assert rows(project.path, "SELECT label FROM relations") == [("porte_parole",)]
    assert rows(project.path, "SELECT status FROM annotations") == [("in_progress",)]


def test_removing_a_span_removes_its_relations_and_undo_restores_both(project: Project) -> None:
    (doc,) = add(project, "Dmitry Peskov parle pour le Kremlin")
    project.start_annotation(doc, "alice")
    peskov = project.add_span(doc, "alice", Span(0, 13, "PER"))
    kremlin = project.add_span(doc, "alice", Span(28, 35, "ORG"))
    rel = project.add_relation(doc, "alice", Relation(peskov.id, kremlin.id, "porte_parole"))
    span, rels = project.remove_span(doc, "alice", kremlin.id)
    assert project.annotation(doc, "alice").relations == []
    project.restore_span(doc, "alice", span, rels)
    ann = project.annotation(doc, "alice")
    assert [s.id for s in ann.spans] == [peskov.id, kremlin.id]
    assert [(r.id, r.head, r.child) for r in ann.relations] == [(rel.id, peskov.id, kremlin.id)]


def test_a_forbidden_relation_is_refused_and_not_stored(project: Project) -> None:
    (doc,) = add(project, "Dmitry Peskov parle pour le Kremlin")
    project.start_annotation(doc, "alice")
    peskov = project.add_span(doc, "alice", Span(0, 13, "PER"))
    kremlin = project.add_span(doc, "alice", Span(28, 35, "ORG"))
    with pytest.raises(SchemeError):
        project.add_relation(doc, "alice", Relation(kremlin.id, peskov.id, "porte_parole"))
    assert project.annotation(doc, "alice").relations == []


def test_a_person_starts_from_model_suggestions_never_from_another_person(project: Project) -> None:
    from desktop.model import Annotation, AnnotatorKind

    (doc,) = add(project, "Vladimir Poutine à Moscou")
    project.save_annotation(
        Annotation(doc, "fr_core_news_sm-3.8.0", Status.ACCEPTED, [Span(0, 16, "PER", origin=Origin.MODEL)]),
        AnnotatorKind.MODEL,
    )
    bob = project.start_annotation(doc, "bob")
    project.add_span(doc, "bob", Span(19, 25, "LOC"))
    alice = project.start_annotation(doc, "alice")
    assert [(s.start, s.label, s.origin) for s in bob.spans] == [(0, "PER", Origin.MODEL)]
    assert [(s.start, s.label, s.origin) for s in alice.spans] == [(0, "PER", Origin.MODEL)]


def test_status_counts_and_filters(project: Project) -> None:
    a, b, c = add(project, "un", "deux", "trois")
    project.start_annotation(a, "alice")
    project.set_status(a, "alice", Status.ACCEPTED)
    project.start_annotation(b, "alice")
    project.set_status(b, "alice", Status.REJECTED)
    counts = project.status_counts("alice")
    assert counts[Status.ACCEPTED] == 1 and counts[Status.REJECTED] == 1
    assert counts[Status.TODO] == 1
    assert project.document_ids("alice", [Status.TODO]) == [c]
    assert project.document_ids("bob", [Status.TODO]) == [a, b, c]


def test_full_text_search_finds_accented_words(project: Project) -> None:
    a, b = add(project, "Les États-Unis et la Russie", "Le Kremlin a souligné")
    assert project.document_ids(search="Kremlin") == [b]
    assert project.document_ids(search="états") == [a]
    assert project.document_ids(search='"guillemets') == []


def test_the_edit_log_is_append_only(project: Project) -> None:
    (doc,) = add(project, "Moscou")
    project.start_annotation(doc, "alice")
    project.add_span(doc, "alice", Span(0, 6, "LOC"))
    actions = [e["action"] for e in project.edit_log(doc)]
    assert actions == ["open", "add_span"]
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        project.db.execute("DELETE FROM edit_log")


def test_project_settings_live_in_the_file(tmp_path: Path, scheme) -> None:
    path = tmp_path / "p.db"
    Project.create(path, lang="en", model="en_core_web_sm", scheme=scheme).close()
    with Project.open(path) as p:
        assert (p.lang, p.model) == ("en", "en_core_web_sm")
        assert p.scheme == scheme


@pytest.mark.parametrize("content", [b"", b"hello world", b"SQLite format 3\x00" + b"\x00" * 200])
def test_a_file_that_is_not_a_project_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "not.db"
    path.write_bytes(content)
    with pytest.raises(NotAProjectError, match=str(path)):
        Project.open(path)
    assert path.read_bytes() == content


def test_a_plain_sqlite_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(NotAProjectError, match="not an Etiquette project"):
        Project.open(path)
    assert path.read_bytes() == before


def test_creating_over_an_existing_file_is_refused(project: Project) -> None:
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(project.path)


def test_tokens_are_stored_compactly() -> None:
    assert encode_tokens([(0, 3), (4, 9)]) == "[0,3,4,9]"


def test_a_new_project_opens_from_another_connection_while_still_open(project: Project) -> None:
    # The header of a new file may still sit in the write-ahead log; opening must not mind.
    with Project.open(project.path) as again:
        assert again.document_count() == 0


def test_a_text_repeated_within_one_import_gets_the_id_of_its_first_copy(project: Project) -> None:
    result = project.add_documents(
        [NewDocument("Moscou"), NewDocument("Kiev"), NewDocument("Moscou")], whitespace_tokens
    )
    assert (result.added, result.duplicates) == (2, 1)
    assert result.ids[0] == result.ids[2] and result.ids[0] > 0


def test_an_annotators_documents_stream_in_document_order_with_their_spans(project: Project) -> None:
    from desktop.model import Annotation

    ids = add(project, *[f"texte numéro {i}" for i in range(12)])
    project.save_annotations(
        Annotation(
            doc,
            "alice",
            Status.ACCEPTED,
            [Span(0, 5, "MISC", id=1), Span(6, 12, "MISC", id=2)],
            [Relation(1, 2, "lie")],
        )
        for doc in reversed(ids)
    )
    seen = list(project.iter_annotations("alice", batch=5))
    assert [doc.id for doc, _ in seen] == ids
    assert all(len(ann.spans) == 2 and len(ann.relations) == 1 for _, ann in seen)
    assert all(doc.text.startswith("texte") for doc, _ in seen)
