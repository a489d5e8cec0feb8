"""The last stage: the workshop, the certification test, decisions, certificates and the register."""
