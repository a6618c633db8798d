"""Running work where a deadline can stop it: worker processes, their lifecycle and admission."""
