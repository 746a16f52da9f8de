"""The ``isms-xl`` command: thin wrappers over the library."""
