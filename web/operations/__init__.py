"""Joint operations (联合行动): the API, the pages and their action dialogs."""
