"""The PostgreSQL schema, as numbered migrations recorded in `schema_migrations`.

Migration 1 is SQLite's schema at its migration 7 (store/sqlite/migrations.py); the later ones
follow SQLite's 8, 9 and 10 under the same numbers, so both backends turn rows into records alike (store/sqlite/rows.py): dates as ISO text, which sorts
as the dates do. PostgreSQL's own additions: the lock rows of the workers (`worker_locks`), which
serialise the submissions that touch a worker (store/postgresql/locks.py), and migration 11, the
intake's queue of workers on other hosts (store/postgresql/queue.py), which SQLite has no use for
(a later SQLite migration skips its number).
"""

MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (
        1,
        "submissions, answers, failures, counters, reference data, Dimona periods, Flexi situations",
        """
        CREATE TABLE submissions (
            ticket          TEXT PRIMARY KEY,
            folder          TEXT NOT NULL,
            file_name       TEXT NOT NULL,
            purpose         TEXT,
            sender          TEXT,
            file_date       TEXT,
            sequence        TEXT,
            env             TEXT,
            sha256          TEXT,
            reception_time  TEXT NOT NULL,
            outcome         TEXT NOT NULL CHECK (outcome IN ('ACCEPTED', 'REFUSED')),
            error_ids       TEXT NOT NULL DEFAULT '',
            declarations    INTEGER NOT NULL DEFAULT 0,
            accepted        INTEGER NOT NULL DEFAULT 0,
            warnings        INTEGER NOT NULL DEFAULT 0,
            refused         INTEGER NOT NULL DEFAULT 0,
            recorded        BIGSERIAL NOT NULL
        );
        CREATE INDEX submissions_accepted_name
            ON submissions (purpose, sender, file_date, sequence, env) WHERE outcome = 'ACCEPTED';
        CREATE INDEX submissions_accepted_content ON submissions (sha256) WHERE outcome = 'ACCEPTED';
        CREATE INDEX submissions_latest ON submissions (reception_time DESC, recorded DESC);

        CREATE TABLE answers (
            ticket      TEXT NOT NULL REFERENCES submissions (ticket),
            position    INTEGER NOT NULL,
            folder      TEXT NOT NULL,
            name        TEXT NOT NULL,
            published   BOOLEAN NOT NULL DEFAULT false,
            PRIMARY KEY (ticket, position)
        );
        CREATE UNIQUE INDEX answers_name ON answers (folder, name);
        CREATE INDEX answers_unpublished ON answers (ticket) WHERE NOT published;

        CREATE TABLE failures (
            stage           TEXT NOT NULL CHECK (stage IN ('CLAIM', 'FINISH')),
            subject         TEXT NOT NULL,
            folder          TEXT NOT NULL,
            file_name       TEXT NOT NULL,
            attempts        INTEGER NOT NULL,
            reason          TEXT NOT NULL,
            failed_at       TEXT NOT NULL,
            next_attempt    TEXT NOT NULL,
            fingerprint     TEXT NOT NULL DEFAULT '',
            quarantined     TEXT,
            PRIMARY KEY (stage, subject)
        );

        CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);

        CREATE TABLE periods (
            period_id           TEXT PRIMARY KEY,
            env                 TEXT NOT NULL,
            employer_key        TEXT NOT NULL,
            noss                TEXT,
            company_id          TEXT,
            worker_key          TEXT NOT NULL,
            insz                TEXT,
            start_date          TEXT NOT NULL,
            start_hour          TEXT,
            end_date            TEXT,
            end_hour            TEXT,
            status              TEXT NOT NULL,
            version             INTEGER NOT NULL,
            last_day            TEXT NOT NULL,
            sender              TEXT NOT NULL,
            action              TEXT NOT NULL,
            declaration_ticket  TEXT NOT NULL,
            submission_ticket   TEXT NOT NULL,
            recorded_at         TEXT NOT NULL
        );
        CREATE INDEX periods_pair ON periods (env, employer_key, worker_key, last_day);
        CREATE INDEX periods_insz ON periods (insz);

        CREATE TABLE period_history (
            period_id           TEXT NOT NULL REFERENCES periods (period_id),
            version             INTEGER NOT NULL,
            action              TEXT NOT NULL,
            declaration_ticket  TEXT NOT NULL,
            submission_ticket   TEXT NOT NULL,
            start_date          TEXT NOT NULL,
            start_hour          TEXT,
            end_date            TEXT,
            end_hour            TEXT,
            status              TEXT NOT NULL,
            recorded_at         TEXT NOT NULL,
            PRIMARY KEY (period_id, version)
        );

        CREATE TABLE situations (
            env                 TEXT NOT NULL,
            employer_key        TEXT NOT NULL,
            insz                TEXT NOT NULL,
            relation_id         TEXT NOT NULL,
            noss                TEXT,
            company_id          TEXT,
            status              TEXT NOT NULL,
            version             INTEGER NOT NULL,
            calculations        TEXT NOT NULL,
            sender              TEXT NOT NULL,
            kind                TEXT NOT NULL,
            declaration_ticket  TEXT NOT NULL,
            submission_ticket   TEXT NOT NULL,
            recorded_at         TEXT NOT NULL,
            PRIMARY KEY (env, employer_key, insz, relation_id)
        );
        CREATE INDEX situations_worker ON situations (env, insz);

        CREATE TABLE situation_history (
            env                 TEXT NOT NULL,
            employer_key        TEXT NOT NULL,
            insz                TEXT NOT NULL,
            relation_id         TEXT NOT NULL,
            version             INTEGER NOT NULL,
            status              TEXT NOT NULL,
            kind                TEXT NOT NULL,
            calculations        TEXT NOT NULL,
            declaration_ticket  TEXT NOT NULL,
            submission_ticket   TEXT NOT NULL,
            recorded_at         TEXT NOT NULL,
            PRIMARY KEY (env, employer_key, insz, relation_id, version)
        );

        CREATE TABLE flexi_totals (
            env     TEXT NOT NULL,
            insz    TEXT NOT NULL,
            year    INTEGER NOT NULL,
            amount  BIGINT NOT NULL,
            PRIMARY KEY (env, insz, year)
        );

        CREATE TABLE ref_senders (sender TEXT PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE ref_employers (noss TEXT, company_id TEXT, name TEXT NOT NULL);
        CREATE TABLE ref_mandates (
            sender TEXT NOT NULL, noss TEXT, company_id TEXT, purpose TEXT NOT NULL,
            valid_from TEXT NOT NULL, valid_to TEXT
        );
        CREATE TABLE ref_workers (
            insz TEXT NOT NULL, quarter TEXT NOT NULL, status TEXT NOT NULL, PRIMARY KEY (insz, quarter)
        );
        CREATE TABLE refdata_loads (
            id BIGSERIAL PRIMARY KEY, loaded_at TEXT NOT NULL, source TEXT NOT NULL, counts TEXT NOT NULL
        );

        CREATE TABLE worker_locks (env TEXT NOT NULL, worker TEXT NOT NULL, PRIMARY KEY (env, worker))
        """,
    ),
    (
        8,
        "the language of each sender's answers (SPEC 9)",
        # Empty (NULL) is the setting default_language.
        "ALTER TABLE ref_senders ADD COLUMN language TEXT;",
    ),
    (
        9,
        "a situation's days as two columns, for the employer's wage run",
        # As SQLite's migration 9: the span of a situation's calculation periods, written with every
        # version and filled here from the stored calculations ([start, end, ...] lists). The
        # employer's situations are read by the key the employer leads, a worker's by
        # situations_worker; the span is a filter on those rows.
        """
        ALTER TABLE situations ADD COLUMN first_day TEXT;
        ALTER TABLE situations ADD COLUMN last_day TEXT;
        UPDATE situations SET
            first_day = (SELECT min(c ->> 0) FROM json_array_elements(calculations::json) c),
            last_day = (SELECT max(c ->> 1) FROM json_array_elements(calculations::json) c);
        """,
    ),
    (
        10,
        "what each accepted submission's declarations came to, per ErrorID and per employer",
        # The figures of `flexibatch report`; a period's submissions are found through
        # submissions_latest (reception_time leads it), so no index of SQLite's migration 10 is needed.
        """
        CREATE TABLE error_tallies (
            ticket          TEXT NOT NULL REFERENCES submissions (ticket),
            error_id        TEXT NOT NULL,
            class           TEXT NOT NULL CHECK (class IN ('B', 'NP')),
            declarations    INTEGER NOT NULL,
            PRIMARY KEY (ticket, error_id, class)
        );
        CREATE TABLE employer_tallies (
            ticket      TEXT NOT NULL REFERENCES submissions (ticket),
            employer    TEXT NOT NULL,
            accepted    INTEGER NOT NULL,
            warnings    INTEGER NOT NULL,
            refused     INTEGER NOT NULL,
            PRIMARY KEY (ticket, employer)
        );
        """,
    ),
    (
        11,
        "the intake's queue: claimed submissions and their bytes, decided answers and theirs",
        # One row per submission the intake claimed (its claim record as JSON), in the order the
        # intake claimed them within its sender folder (`turn`); a decide worker locks the head of
        # a turn FOR UPDATE SKIP LOCKED and sets `decided` in the transaction that decides it.
        # The bytes in chunks, so neither side holds a whole file in memory.
        """
        CREATE TABLE intake_queue (
            ticket      TEXT PRIMARY KEY,
            turn        TEXT NOT NULL,
            registered  BIGSERIAL NOT NULL,
            claim       TEXT NOT NULL,
            decided     BOOLEAN NOT NULL DEFAULT false,
            decided_by  TEXT
        );
        CREATE INDEX intake_queue_waiting ON intake_queue (turn, registered) WHERE NOT decided;
        CREATE TABLE intake_files (
            ticket  TEXT NOT NULL REFERENCES intake_queue (ticket) ON DELETE CASCADE,
            file    INTEGER NOT NULL,
            chunk   INTEGER NOT NULL,
            data    BYTEA NOT NULL,
            PRIMARY KEY (ticket, file, chunk)
        );
        CREATE TABLE answer_bytes (
            ticket      TEXT NOT NULL REFERENCES intake_queue (ticket) ON DELETE CASCADE,
            position    INTEGER NOT NULL,
            chunk       INTEGER NOT NULL,
            data        BYTEA NOT NULL,
            PRIMARY KEY (ticket, position, chunk)
        );
        """,
    ),
)
