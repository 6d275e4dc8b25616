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
