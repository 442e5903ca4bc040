"""Who is calling: passwords, signed tokens, sessions and their revocation."""
