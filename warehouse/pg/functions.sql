-- SQL functions the models' postgres__ macros call (models/macros/portable.sql), in schema `arlens`.
-- Idempotent: run before every build on PostgreSQL (and by `arlens warehouse init`). The models call
-- them schema-qualified, so they need no search_path.
-- Plan: docs/plans/postgres-engine.md §6.2 (the Cube aggregates ar_last_sum, ar_countback_days, …
-- are added here with the Cube-on-PostgreSQL task).

CREATE SCHEMA IF NOT EXISTS arlens;

-- std::round of a double: half away from zero, exactly (the fractional part v - trunc(v) of a double
-- is exact). PostgreSQL's own round(float8) rounds half to even.
CREATE OR REPLACE FUNCTION arlens.round_half_away(v double precision) RETURNS double precision
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT trunc(v) + CASE WHEN abs(v - trunc(v)) >= 0.5 THEN sign(v) ELSE 0 END $$;

-- DuckDB's round(DOUBLE, n) (RoundOperatorPrecision): for n >= 0 round(x * 10^n) / 10^n, and x itself
-- when that is not finite (or overflows); for n < 0 round(x / 10^-n) * 10^-n, and 0 when not finite. PostgreSQL has
-- no round(float8, int), and rounding through numeric would differ at ties (1.005::float8 is just
-- below 1.005: DuckDB gives 1.0, numeric's 15-digit form 1.01).
CREATE OR REPLACE FUNCTION arlens.round(x double precision, n integer) RETURNS double precision
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT CASE
      -- DuckDB's x * 10^n overflows to infinity and it returns x; PostgreSQL would raise an error.
      WHEN n > 308 OR (n >= 0 AND abs(x) > 1e308 / 10::float8 ^ n) THEN x
      WHEN n < -308 THEN 0
      WHEN n >= 0 THEN (
        SELECT CASE WHEN r = 'NaN'::float8 OR r IN ('Infinity'::float8, '-Infinity'::float8) THEN x ELSE r END
        FROM (SELECT arlens.round_half_away(x * 10::float8 ^ n) / 10::float8 ^ n AS r) AS rounded
      )
      ELSE (
        SELECT CASE WHEN r = 'NaN'::float8 OR r IN ('Infinity'::float8, '-Infinity'::float8) THEN 0 ELSE r END
        FROM (SELECT arlens.round_half_away(x / 10::float8 ^ (-n)) * 10::float8 ^ (-n) AS r) AS rounded
      )
    END
  $$;

-- ---------- The aggregates the Cube model calls (cube/sql-functions.ts has the DuckDB macros) ----------
-- Cube's role needs `arlens` on its search_path: the model calls them unqualified, and `round(x, n)`
-- on a double then resolves to arlens.round (pg_catalog has no round(float8, int)).

-- ar_last_sum(d, v) / ar_first_sum(d, v): the sum of v over the rows at the group's latest (earliest)
-- d; rows with a NULL d are ignored, NULL values skipped, 0 when there is none (DuckDB: coalesce of a
-- list_sum over the rows whose d = max(d)). Exact: numeric sums.
DO $$ BEGIN
  CREATE TYPE arlens.dated_sum AS (d date, s numeric);
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

CREATE OR REPLACE FUNCTION arlens.last_sum_step(st arlens.dated_sum, d date, v numeric) RETURNS arlens.dated_sum
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT CASE
      WHEN d IS NULL THEN st
      WHEN st IS NULL OR st.d IS NULL OR d > st.d THEN ROW(d, v)::arlens.dated_sum
      WHEN d = st.d THEN ROW(d, CASE WHEN v IS NULL THEN st.s WHEN st.s IS NULL THEN v ELSE st.s + v END)::arlens.dated_sum
      ELSE st
    END
  $$;

CREATE OR REPLACE FUNCTION arlens.first_sum_step(st arlens.dated_sum, d date, v numeric) RETURNS arlens.dated_sum
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT CASE
      WHEN d IS NULL THEN st
      WHEN st IS NULL OR st.d IS NULL OR d < st.d THEN ROW(d, v)::arlens.dated_sum
      WHEN d = st.d THEN ROW(d, CASE WHEN v IS NULL THEN st.s WHEN st.s IS NULL THEN v ELSE st.s + v END)::arlens.dated_sum
      ELSE st
    END
  $$;

CREATE OR REPLACE FUNCTION arlens.dated_sum_final(st arlens.dated_sum) RETURNS numeric
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT coalesce((st).s, 0) $$;

CREATE OR REPLACE AGGREGATE arlens.ar_last_sum(date, numeric) (
  SFUNC = arlens.last_sum_step, STYPE = arlens.dated_sum, FINALFUNC = arlens.dated_sum_final
);
CREATE OR REPLACE AGGREGATE arlens.ar_first_sum(date, numeric) (
  SFUNC = arlens.first_sum_step, STYPE = arlens.dated_sum, FINALFUNC = arlens.dated_sum_final
);

-- ar_last_list_sum(d, l): the countback lists (24 months, COUNTBACK_MONTHS in cube/sql-functions.ts)
-- at the group's latest d, added element-wise; 0 for an element no row has.
DO $$ BEGIN
  CREATE TYPE arlens.dated_list_sum AS (d date, s numeric[]);
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

CREATE OR REPLACE FUNCTION arlens.list_add(a numeric[], b numeric[]) RETURNS numeric[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT CASE WHEN a IS NULL THEN b WHEN b IS NULL THEN a ELSE (
      SELECT array_agg(
        CASE WHEN a[k] IS NULL THEN b[k] WHEN b[k] IS NULL THEN a[k] ELSE a[k] + b[k] END ORDER BY k)
      FROM generate_series(1, greatest(cardinality(a), cardinality(b))) AS k
    ) END
  $$;

CREATE OR REPLACE FUNCTION arlens.last_list_sum_step(st arlens.dated_list_sum, d date, l numeric[])
  RETURNS arlens.dated_list_sum
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT CASE
      WHEN d IS NULL THEN st
      WHEN st IS NULL OR st.d IS NULL OR d > st.d THEN ROW(d, l)::arlens.dated_list_sum
      WHEN d = st.d THEN ROW(d, arlens.list_add(st.s, l))::arlens.dated_list_sum
      ELSE st
    END
  $$;

CREATE OR REPLACE FUNCTION arlens.last_list_sum_final(st arlens.dated_list_sum) RETURNS numeric[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT array_agg(coalesce((st).s[k], 0) ORDER BY k) FROM generate_series(1, 24) AS k $$;

CREATE OR REPLACE AGGREGATE arlens.ar_last_list_sum(date, numeric[]) (
  SFUNC = arlens.last_list_sum_step, STYPE = arlens.dated_list_sum, FINALFUNC = arlens.last_list_sum_final
);

-- arg_max(int[], date): the value at the greatest key; rows whose value or key is NULL are skipped
-- (DuckDB's arg_max); the first of equal keys is kept.
DO $$ BEGIN
  CREATE TYPE arlens.argmax_int_list AS (k date, v integer[]);
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

CREATE OR REPLACE FUNCTION arlens.argmax_int_list_step(st arlens.argmax_int_list, v integer[], k date)
  RETURNS arlens.argmax_int_list
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT CASE
      WHEN v IS NULL OR k IS NULL THEN st
      WHEN st IS NULL OR k > st.k THEN ROW(k, v)::arlens.argmax_int_list
      ELSE st
    END
  $$;

CREATE OR REPLACE FUNCTION arlens.argmax_int_list_final(st arlens.argmax_int_list) RETURNS integer[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT (st).v $$;

CREATE OR REPLACE AGGREGATE arlens.arg_max(integer[], date) (
  SFUNC = arlens.argmax_int_list_step, STYPE = arlens.argmax_int_list, FINALFUNC = arlens.argmax_int_list_final
);

-- ar_countback_days(ar, sales, days): the countback walk of the DuckDB macro — month k adds its days
-- times the share of its sales still needed to cover the AR left after the months before it (clamped
-- to 0..1; a month without sales counts fully while AR is left); NULL when the history does not
-- cover the AR. The share is a double (DuckDB divides decimals in DOUBLE); summed in k order.
CREATE OR REPLACE FUNCTION arlens.ar_countback_days(ar numeric, sales numeric[], days integer[])
  RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT CASE
      WHEN ar <= 0 THEN 0
      WHEN (SELECT sum(s) FROM unnest(sales) AS s) < ar THEN NULL
      ELSE (
        SELECT sum(days[k] * greatest(0, least(1,
          CASE
            WHEN sales[k] > 0 THEN cast(ar - coalesce(before, 0) as double precision) / cast(sales[k] as double precision)
            WHEN ar - coalesce(before, 0) > 0 THEN 1
            ELSE 0
          END)) ORDER BY k)
        FROM (
          SELECT k, sum(sales[k]) OVER (ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
          FROM generate_subscripts(sales, 1) AS k
        ) AS walk
      )
    END
  $$;
