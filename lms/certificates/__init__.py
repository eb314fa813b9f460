"""Completion rule, certificate numbering, PDF certificates, verification and downloads."""
