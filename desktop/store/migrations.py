"""Versioned schema of the project file. New columns and tables come as new migrations, never edits."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("etiquette")


@MIGRATIONS()
def m001_initial(db: Database) -> None:
    _run_script(
        db,
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            hash TEXT NOT NULL UNIQUE,
            text TEXT NOT NULL,
            tokens TEXT NOT NULL,
            meta TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL
        );
        CREATE TABLE annotators (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('person', 'model', 'gold')),
            created_at TEXT NOT NULL
        );
        CREATE TABLE annotations (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator_id INTEGER NOT NULL REFERENCES annotators(id),
            status TEXT NOT NULL,
            reviewer TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (document_id, annotator_id)
        );
        CREATE INDEX annotations_by_annotator ON annotations(annotator_id, status);
        CREATE TABLE spans (
            id INTEGER PRIMARY KEY,
            annotation_id INTEGER NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            token_start INTEGER NOT NULL,
            token_end INTEGER NOT NULL,
            label TEXT NOT NULL,
            origin TEXT NOT NULL CHECK (origin IN ('model', 'person')),
            CHECK (start < "end")
        );
        CREATE INDEX spans_by_annotation ON spans(annotation_id, start);
        CREATE TABLE relations (
            id INTEGER PRIMARY KEY,
            annotation_id INTEGER NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
            head INTEGER NOT NULL REFERENCES spans(id) ON DELETE CASCADE,
            child INTEGER NOT NULL REFERENCES spans(id) ON DELETE CASCADE,
            label TEXT NOT NULL,
            origin TEXT NOT NULL CHECK (origin IN ('model', 'person'))
        );
        CREATE INDEX relations_by_annotation ON relations(annotation_id);
        CREATE INDEX relations_by_head ON relations(head);
        CREATE INDEX relations_by_child ON relations(child);
        CREATE TABLE edit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            annotator TEXT NOT NULL,
            document_id INTEGER,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TRIGGER edit_log_append_only_update BEFORE UPDATE ON edit_log
            BEGIN SELECT RAISE(ABORT, 'the edit log is append-only'); END;
        CREATE TRIGGER edit_log_append_only_delete BEFORE DELETE ON edit_log
            BEGIN SELECT RAISE(ABORT, 'the edit log is append-only'); END;
        """,
    )
    db.table("documents").enable_fts(["text"], fts_version="FTS5", create_triggers=True)


@MIGRATIONS()
def m002_annotations_by_annotator_and_document(db: Database) -> None:
    # Exports and agreement walk one annotator's annotations in document order.
    db.execute("CREATE INDEX annotations_by_annotator_document ON annotations(annotator_id, document_id)")


@MIGRATIONS()
def m004_document_sentences_token_attributes_extras(db: Database) -> None:
    # What an imported file says about a document beyond its text and tokens, kept so that exports
    # give it back: sentence starts (JSON list of token indices), token attributes Etiquette does
    # not edit (JSON object of per-token lists) and format-specific fields (JSON object by format).
    # NULL means the file said nothing.
    db.execute("ALTER TABLE documents ADD COLUMN sent_starts TEXT")
    db.execute("ALTER TABLE documents ADD COLUMN token_attrs TEXT")
    db.execute("ALTER TABLE documents ADD COLUMN extras TEXT")


@MIGRATIONS()
def m005_undo_history(db: Database) -> None:
    # Each annotator's undo history: the operation that undoes each step (and, once undone, the one
    # that redoes it), as JSON, written in the same transaction as the edit itself.
    _run_script(
        db,
        """
        CREATE TABLE undo_history (
            id INTEGER PRIMARY KEY,
            annotator TEXT NOT NULL,
            document_id INTEGER,
            text TEXT NOT NULL,
            undo TEXT NOT NULL,
            redo TEXT,
            undone INTEGER NOT NULL DEFAULT 0,
            at TEXT NOT NULL
        );
        CREATE INDEX undo_history_by_annotator ON undo_history(annotator, undone, id);
        """,
    )


@MIGRATIONS()
def m006_span_confidence(db: Database) -> None:
    # A model's probability for each of its suggestions; NULL for people's spans and old suggestions.
    db.execute("ALTER TABLE spans ADD COLUMN confidence REAL")


def _run_script(db: Database, script: str) -> None:
    """Run statements one by one: `executescript` would commit the migration's transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement!r}")
