"""The use cases, in the order data meets them.

`run` is the loop (recover, scan, claim, hand each submission on, retry with backoff);
`submission` takes one submission from claim to answers in one unit of work; `purposes` says, for
DIMN and FLEX, which reader, locator and decider serve them; `answers` names and publishes the
answers; `dimona_batch` and `flexi_batch` decide in bulk; `numbers` issues period ids and tickets;
`failures` keeps a submission that failed for a reason of the processor's own.
"""
