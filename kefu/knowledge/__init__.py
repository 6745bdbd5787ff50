"""The knowledge base: FAQ entries, the hybrid retriever, import/export, gaps and proposals.

Pure core: depends on ``kefu.domain`` and on the ports in ``ports.py``; the store adapts.
"""
