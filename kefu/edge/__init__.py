"""What every door shares: the HTTP routes (``kefu.api``) and the channels (``kefu.channels``).

Who a client is (signed customer tokens), how often a client address or a customer may knock
(``limits``), and which HTTP status a refusal gets (``problems``). Both edges import this package;
it imports neither.
"""
