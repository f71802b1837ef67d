"""claimflow transforms: pure functions from text and tables to tables.

One module per stage (``documents``, ``sentences``, ``attributions``,
``claims``; the claims stage's check-worthiness model in
``checkworthiness``) and the table schemas in ``schemas``.  Nothing here imports
Prefect or touches the disk: the flows in ``flows/`` do the orchestration
and the I/O, and hand these functions text, parsed spaCy docs and Arrow
tables.
"""
