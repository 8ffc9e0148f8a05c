"""shebao-check: social-insurance registration compliance (PRC Social Insurance Law Art. 58).

Plain functions over pandas DataFrames and dates, one module per concept:

- ``ids``: identity numbers, which are the social security numbers (GB 11643): validate, explain, mask.
- ``documents``: passports, travel permits and the document type column (shared README section 10).
- ``employment``: employment types and who is exempt from the Art. 58 duty (section 10).
- ``vocab``: words rosters use for card statuses, employment and document types, to codes.
- ``dates``: reading the dates people type, writing dates as ISO text, the UTC clock of stored timestamps.
- ``calendar``: China's working days, holiday notice files, the Art. 58 registration deadline.
- ``rosters``: reading roster files (.xlsx, .xls, .csv) from paths or bytes: header row, raw cells, size limits.
- ``registration``: ``normalise`` (cells to typed columns and row problems) and ``judge`` (deadline, status).
- ``employers``: the per-employer summary and the premium-verification flag.
- ``cards``: social security card status, activation guidance, frozen medical-insurance accounts.
- ``flexible``: self-registration of flexible workers (Art. 58, paragraph 2); nothing stored.
- ``premiums``: the premium verification worksheet (Art. 58, Art. 86 late fee), city parameters in ``params/``.
- ``reports``: report files: CSV with BOM, formatted XLSX, JSON; formula cells escaped.
- ``store``: the database (SQLAlchemy; schema by the Alembic ``migrations/``): uploads, registry, cases, audit.
- ``crosscheck``: stored rosters against the agency's registry (shared README section 8).
- ``jobs``: the use cases, one function each, that the command line, the dashboard and the batch path call.
- ``cases``: the states of an inspector's case, light enough for the command line's parser.
- ``accounts``: users, roles, passwords, sign-in and lock-out (``data/``: the common-password list).
- ``workers``: checks in worker processes, so one upload does not stall the dashboard.
- ``resultcache``: the dashboard's cache of check results, bounded in bytes, per signed-in session.
- ``i18n``: screen labels in Chinese and English; ``catalogue``: every message as a code plus
  parameters, rendered in either language.
- ``batch``: the batch paths on Dask (``python -m compliance batch``): plan, Dask-free partitions, driver.
- ``errors``: ``ShebaoError``, the base class of every error a user can cause (exit 2).
- ``cli`` (``python -m compliance``): the command line (shared README sections 7-9).
"""
