"""shebao-check: social-insurance registration compliance (PRC Social Insurance Law Art. 58).

Plain functions over pandas DataFrames and dates, one module per concept: ``ids`` (identity
numbers = social security numbers), ``calendar`` (working days and deadlines), ``dates``
(reading typed dates), ``rosters`` (reading files), ``registration`` (status per employee),
``employers`` (summary and premium-verification flag), ``reports`` (CSV/XLSX/JSON), ``cli``.
"""
