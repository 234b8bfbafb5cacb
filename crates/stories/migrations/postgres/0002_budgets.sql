-- Vendor budgets shared by every worker of the archive: a request rate and a daily credit
-- budget per vendor (`stories watch budget`), and the usage they are checked against, counted
-- in the database so that adding workers never exceeds them.

CREATE TABLE budgets (
    vendor            TEXT PRIMARY KEY,
    requests_per_sec  BIGINT,               -- NULL: no rate limit
    credits_per_day   BIGINT                -- NULL: no credit budget
);

-- Requests sent per vendor and second (old seconds are deleted as workers go).
CREATE TABLE vendor_rate (
    vendor   TEXT NOT NULL,
    second   BIGINT NOT NULL,
    requests BIGINT NOT NULL,
    PRIMARY KEY (vendor, second)
);

-- Credits reserved or used per vendor and UTC day (Unix day number).
CREATE TABLE vendor_credits (
    vendor  TEXT NOT NULL,
    day     BIGINT NOT NULL,
    credits BIGINT NOT NULL,
    PRIMARY KEY (vendor, day)
);
