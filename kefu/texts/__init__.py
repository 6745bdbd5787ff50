"""Customer-facing text and scripts, at the bottom of the core: the one loader of text files
with its language fallback rule (``templates``), Chinese script conversion (``scripts``) and the
shop's time zone (``zone``). It imports nothing of kefu but ``kefu.resources``.
"""
