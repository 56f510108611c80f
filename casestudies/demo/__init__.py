"""Demo content: realistic, anonymized stories a newcomer sees on a fresh portal.

The stories are data files (``data/*.toml``: vocabulary, case studies and bright spots,
word for word) that `loader` builds and publishes with ``casestudies.building``.
`load_demo_content` is the management command.
"""
