"""National data: the forces of England and Wales, and the Home Office and police.uk files
that give every force's figures (see each module's docstring)."""
