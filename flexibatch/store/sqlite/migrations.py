"""The schema, as numbered migrations; each applied one is recorded in `schema_migrations`."""

MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (
        1,
        "submissions, answers, Dimona periods, reference data",
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
            refused         INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX submissions_accepted_name
            ON submissions (purpose, sender, file_date, sequence, env) WHERE outcome = 'ACCEPTED';
        CREATE INDEX submissions_accepted_content ON submissions (sha256) WHERE outcome = 'ACCEPTED';

        CREATE TABLE answers (
            ticket      TEXT NOT NULL REFERENCES submissions (ticket),
            position    INTEGER NOT NULL,
            folder      TEXT NOT NULL,
            name        TEXT NOT NULL,
            published   INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (ticket, position)
        );
        CREATE UNIQUE INDEX answers_name ON answers (folder, name);
        CREATE INDEX answers_unpublished ON answers (ticket) WHERE published = 0;

        CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);

        CREATE TABLE periods (
            period_id       TEXT PRIMARY KEY,
            env             TEXT NOT NULL,
            employer_key    TEXT NOT NULL,
            noss            TEXT,
            company_id      TEXT,
            worker_key      TEXT NOT NULL,
            insz            TEXT,
            start_date      TEXT NOT NULL,
            start_hour      TEXT,
            end_date        TEXT,
            end_hour        TEXT,
            status          TEXT NOT NULL,
            version         INTEGER NOT NULL,
            sender          TEXT NOT NULL
        );
        CREATE INDEX periods_pair ON periods (env, employer_key, worker_key);
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
            id INTEGER PRIMARY KEY, loaded_at TEXT NOT NULL, source TEXT NOT NULL, counts TEXT NOT NULL
        );
        """,
    ),
    (
        2,
        "Flexi at work situations with their history, and every worker's yearly flexi income",
        """
        CREATE TABLE situations (
            env             TEXT NOT NULL,
            employer_key    TEXT NOT NULL,
            insz            TEXT NOT NULL,
            relation_id     TEXT NOT NULL,
            noss            TEXT,
            company_id      TEXT,
            status          TEXT NOT NULL,
            version         INTEGER NOT NULL,
            calculations    TEXT NOT NULL,
            sender          TEXT NOT NULL,
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
            amount  INTEGER NOT NULL,
            PRIMARY KEY (env, insz, year)
        );
        """,
    ),
    (
        3,
        "a worker's periods with an employer indexed by their last day",
        # A batch's lookup then reads only the periods that can still run, not every row of the
        # worker's history. Replaced by a column in migration 6.
        """
        DROP INDEX periods_pair;
        CREATE INDEX periods_pair ON periods (
            env, employer_key, worker_key,
            (CASE WHEN end_date IS NOT NULL THEN end_date
                  WHEN start_hour IS NOT NULL OR end_hour IS NOT NULL THEN start_date
                  ELSE date(start_date, 'start of month',
                            '+' || (2 - (CAST(strftime('%m', start_date) AS INTEGER) - 1) % 3) || ' months',
                            '+1 month', '-1 day') END)
        );
        """,
    ),
    (
        4,
        "a period's current version in its row, its history the versions it superseded",
        # An IN no longer writes a history row that repeats its period row (docs/decisions.md,
        # "State"): the row says who declared the current version, and an UPDATE or CANCEL first
        # copies the version it replaces into the history (store/sqlite/periods.py).
        """
        ALTER TABLE periods ADD COLUMN action TEXT;
        ALTER TABLE periods ADD COLUMN declaration_ticket TEXT;
        ALTER TABLE periods ADD COLUMN submission_ticket TEXT;
        ALTER TABLE periods ADD COLUMN recorded_at TEXT;
        UPDATE periods SET (action, declaration_ticket, submission_ticket, recorded_at) = (
            SELECT h.action, h.declaration_ticket, h.submission_ticket, h.recorded_at
            FROM period_history h WHERE h.period_id = periods.period_id AND h.version = periods.version
        );
        DELETE FROM period_history WHERE (period_id, version) IN (SELECT period_id, version FROM periods);
        """,
    ),
    (
        5,
        "a situation's current version in its row, its history the versions it superseded",
        # Migration 4's model for Flexi at work: a new relation writes one row, not two.
        """
        ALTER TABLE situations ADD COLUMN kind TEXT;
        ALTER TABLE situations ADD COLUMN declaration_ticket TEXT;
        ALTER TABLE situations ADD COLUMN submission_ticket TEXT;
        ALTER TABLE situations ADD COLUMN recorded_at TEXT;
        UPDATE situations SET (kind, declaration_ticket, submission_ticket, recorded_at) = (
            SELECT h.kind, h.declaration_ticket, h.submission_ticket, h.recorded_at
            FROM situation_history h
            WHERE (h.env, h.employer_key, h.insz, h.relation_id, h.version)
                = (situations.env, situations.employer_key, situations.insz, situations.relation_id,
                   situations.version)
        );
        DELETE FROM situation_history WHERE (env, employer_key, insz, relation_id, version) IN (
            SELECT env, employer_key, insz, relation_id, version FROM situations
        );
        """,
    ),
    (
        6,
        "a period's last day as a column of its own, indexed with the pair",
        # Migration 3 indexed the last day as an expression. SQLite (3.38 and later) builds a Bloom
        # filter for the batch lookup once ANALYZE has run, and evaluates a WHERE term that matches
        # an indexed expression against the index while filling the filter from the table: every
        # row fails the term, the filter is empty and the lookup finds nothing, so overlapping INs
        # were accepted (docs/decisions.md, "Lookups on an analysed store"). A plain column holds
        # the same value (Schedule.last_day, written with every version) without the expression.
        """
        ALTER TABLE periods ADD COLUMN last_day TEXT;
        UPDATE periods SET last_day =
            CASE WHEN end_date IS NOT NULL THEN end_date
                 WHEN start_hour IS NOT NULL OR end_hour IS NOT NULL THEN start_date
                 ELSE date(start_date, 'start of month',
                           '+' || (2 - (CAST(strftime('%m', start_date) AS INTEGER) - 1) % 3) || ' months',
                           '+1 month', '-1 day') END;
        DROP INDEX periods_pair;
        CREATE INDEX periods_pair ON periods (env, employer_key, worker_key, last_day);
        """,
    ),
    (
        7,
        "submissions the processor failed to claim or finish, tried again later or given up",
        # A file still in the inbox is keyed by its path there, a claimed one by its ticket
        # (flexibatch/service/failures.py; docs/decisions.md, "When a submission fails").
        """
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
        # `flexibatch employer ID --from --to` reads an employer's periods and situations that meet
        # a range of days. A situation's days are the span of its calculation periods, kept in two
        # columns (written with every version, filled here from the stored calculations), so that
        # the query leaves the others out without reading their calculations. No index is added:
        # the employer leads `periods_pair` (whose last column, last_day, is then tested in the
        # index) and the situations' key, so a month reads the employer's entries, about 500 a year
        # for an average employer of a million periods (0.3-0.7 ms), while one more index on
        # `periods` would cost every accepted IN an insertion into it (docs/decisions.md, "The employer's wage run").
        """
        ALTER TABLE situations ADD COLUMN first_day TEXT;
        ALTER TABLE situations ADD COLUMN last_day TEXT;
        UPDATE situations SET
            first_day = (SELECT min(json_extract(c.value, '$[0]')) FROM json_each(situations.calculations) c),
            last_day = (SELECT max(json_extract(c.value, '$[1]')) FROM json_each(situations.calculations) c);
        """,
    ),
    (
        10,
        "what each accepted submission's declarations came to, per ErrorID and per employer",
        # The figures of `flexibatch report` (docs/decisions.md, "The report"): a few rows per
        # submission, written in its transaction, so a month is summed without reading its answers.
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
        CREATE INDEX submissions_reception ON submissions (reception_time);
        """,
    ),
)
