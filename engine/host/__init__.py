"""The model host: tiers 1 and 2's models in a child process, so that stopping it gives all their memory back.

protocol: the messages and how they are framed; server: the child (`tierwall _model-host`);
client: HostModels, which the engine uses in place of an in-process ModelManager.
"""
