"""Demo content: realistic, anonymized stories a newcomer sees on a fresh portal.

The texts are data files (``data/*.toml``: vocabulary, hand-written fragments, story
outlines) that `compose` turns into page fields, so thirty case studies read differently
without thirty hand-written essays; `loader` builds them with ``casestudies.building``.
`load_demo_content` is the management command.
"""
