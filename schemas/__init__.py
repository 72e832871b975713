"""The XSDs of the channel (SPEC 4-6), installed as package data so every install finds them."""
